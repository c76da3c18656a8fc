import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultFixturesDir } from '../../appliance/testbed/smart-fixtures';
import { differentDriveProblem, driveIdentity, readSmartctlRecording } from '../../main/health/smartctl-recording';
import type { SmartctlJson } from '../../main/health/smart-verdict';

/** Recorded output of real drives (see appliance/testbed/fixtures/smart/README.md); never edited to pass a test. */
const FIXTURES = defaultFixturesDir();
const fixtureFiles = fs.readdirSync(FIXTURES).filter((f) => f.endsWith('.json')).sort();
const raw = (name: string): Record<string, unknown> => JSON.parse(fs.readFileSync(path.join(FIXTURES, name), 'utf8')) as Record<string, unknown>;
const recording = (json: unknown): SmartctlJson => {
  const r = readSmartctlRecording(json);
  if (!r.ok) throw new Error(r.problem);
  return r.recording;
};
const problemOf = (json: unknown): string => {
  const r = readSmartctlRecording(json);
  if (r.ok) throw new Error('accepted as a smartctl recording');
  return r.problem;
};

describe('what counts as a smartctl -j recording', () => {
  it.each(fixtureFiles)('accepts the recorded drive %s', (name) => {
    expect(readSmartctlRecording(raw(name)).ok).toBe(true);
  });

  it('refuses {} naming everything a recording has and it lacks', () => {
    expect(problemOf({})).toBe('not smartctl -j output: no json_format_version, no smartctl block, no device block');
  });

  it.each([
    ['a JSON array', [], /the JSON is an array, not an object/],
    ['a string', 'smartctl 7.3', /the JSON is a string, not an object/],
    ['null', null, /the JSON is null, not an object/],
    ['another program’s JSON', { status: 'success', data: { resultType: 'vector', result: [] } }, /no json_format_version, no smartctl block, no device block/],
    ['only a format version', { json_format_version: [1, 0] }, /^not smartctl -j output: no smartctl block, no device block$/],
    ['no device block', { json_format_version: [1, 0], smartctl: { exit_status: 0 }, smart_status: { passed: true } }, /^not smartctl -j output: no device block$/],
  ])('refuses %s', (_what, json, problem) => {
    expect(problemOf(json)).toMatch(problem);
  });

  it('refuses a field of the wrong type, naming it', () => {
    const d = raw('ST3500418AS_11.json');
    d.smart_status = { passed: 'yes' };
    expect(problemOf(d)).toMatch(/^not smartctl -j output as this console reads it: smart_status\.passed: /);
  });

  it('refuses the output of a smartctl that could not open the device, with smartctl’s own words', () => {
    const failed = {
      json_format_version: [1, 0],
      smartctl: { version: [7, 3], exit_status: 2, messages: [{ string: 'Smartctl open device: /dev/sdz failed: No such device', severity: 'error' }] },
      device: { name: '/dev/sdz', info_name: '/dev/sdz', type: 'ata', protocol: 'ATA' },
    };
    expect(problemOf(failed)).toBe('smartctl could not read the drive (exit status 2: Smartctl open device: /dev/sdz failed: No such device), so the recording holds no SMART data');
  });

  it('refuses a recording without any SMART health data (SMART off, or only --info asked for)', () => {
    const d = raw('ST3500418AS_11.json');
    for (const block of ['smart_status', 'ata_smart_attributes', 'nvme_smart_health_information_log', 'scsi_error_counter_log', 'scsi_grown_defect_list']) delete d[block];
    expect(problemOf(d)).toMatch(/^no SMART health data in it \(none of smart_status, /);
  });
});

describe('an earlier recording must be of the same drive', () => {
  const current = recording(raw('ST3500418AS_11.json'));

  it('accepts the same drive read again', () => {
    expect(differentDriveProblem(current, recording(raw('ST3500418AS_11.json')))).toBeNull();
    expect(driveIdentity(current)).toEqual({ model: 'ST3500418AS', serial: 'REDACTED', wwn: '5 000c50 499602d2' });
  });

  it('refuses another model, saying which field differs and both values', () => {
    expect(differentDriveProblem(current, recording(raw('WDC_WD20EFRX-68EUZN0_17.json')))).toBe(
      'it is another drive: model "WDC WD20EFRX-68EUZN0" there, "ST3500418AS" here; WWN "5 0014ee 499602d2" there, "5 000c50 499602d2" here',
    );
  });

  it('refuses the same model with another serial number or WWN', () => {
    const otherSerial = raw('ST3500418AS_11.json');
    otherSerial.serial_number = '9VMABC12';
    expect(differentDriveProblem(current, recording(otherSerial))).toBe('it is another drive: serial number "9VMABC12" there, "REDACTED" here');
    const otherWwn = raw('ST3500418AS_11.json');
    otherWwn.wwn = { naa: 5, oui: 3152, id: 42 };
    expect(differentDriveProblem(current, recording(otherWwn))).toBe('it is another drive: WWN "5 000c50 2a" there, "5 000c50 499602d2" here');
  });

  it('refuses recordings that cannot be told apart because they do not name the drive', () => {
    const anonymous = raw('ST3500418AS_11.json');
    for (const field of ['model_name', 'serial_number', 'wwn']) delete anonymous[field];
    expect(differentDriveProblem(current, recording(anonymous))).toMatch(/do not both name the drive/);
  });
});
