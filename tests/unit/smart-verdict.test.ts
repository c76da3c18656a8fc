import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultFixturesDir } from '../../appliance/testbed/smart-fixtures';
import { assessDisk, smartctlJson, type SmartctlJson } from '../../main/health/smart-verdict';

/** Recorded output of real drives (see appliance/testbed/fixtures/smart/README.md); never edited to pass a test. */
const FIXTURES = defaultFixturesDir();
const fixtureFiles = fs.readdirSync(FIXTURES).filter((f) => f.endsWith('.json')).sort();
const load = (name: string): SmartctlJson => smartctlJson.parse(JSON.parse(fs.readFileSync(path.join(FIXTURES, name), 'utf8')));

describe('SMART verdicts over every recorded drive', () => {
  it('finds the fixtures', () => {
    expect(fixtureFiles.length).toBeGreaterThan(100);
  });

  it.each(fixtureFiles)('%s yields a verdict with reasons in words', (name) => {
    const h = assessDisk(load(name));
    expect(['healthy', 'warning', 'failing', 'failed']).toContain(h.verdict);
    expect(h.verdict === 'healthy').toBe(h.reasons.length === 0);
    for (const r of h.reasons) expect(r.message.length).toBeGreaterThan(20);
    expect(['ATA', 'NVMe', 'SCSI']).toContain(h.device.protocol);
  });

  it('does not call a drive with reallocated sectors healthy', () => {
    const h = assessDisk(load('ST3500418AS_11.json'));
    expect(h.verdict).not.toBe('healthy');
    expect(h.reasons.find((r) => r.code === 'reallocated-sectors')).toMatchObject({ params: { count: 1 } });
    for (const f of fixtureFiles.filter((f) => f.includes('S4510_S4610'))) {
      const m = assessDisk(load(f)).metrics;
      if ((m.reallocatedSectors ?? 0) > 0) expect(assessDisk(load(f)).verdict, f).not.toBe('healthy');
    }
  });

  it('does not call a heavily worn drive healthy', () => {
    const h = assessDisk(load('nvme-null-INTEL_SSDPE2KX010T8-nvme1.json'));
    expect(h.metrics.percentageUsed).toBe(73);
    expect(h.reasons.find((r) => r.code === 'wear')).toMatchObject({ severity: 'warning', params: { percent: 73 } });
  });

  it('calls uncorrectable errors failing', () => {
    expect(assessDisk(load('MB0500EBNCR_13.json'))).toMatchObject({ verdict: 'failing', reasons: expect.arrayContaining([expect.objectContaining({ code: 'reported-uncorrectable' })]) });
  });
});

describe('rules on recordings changed the way a failing drive changes', () => {
  const base = (): SmartctlJson => structuredClone(load('nvme-null-INTEL_SSDPE2KX010T8-nvme1.json'));

  it('fails a drive whose own SMART status is FAILED', () => {
    const d = base();
    d.smart_status = { passed: false };
    expect(assessDisk(d).verdict).toBe('failed');
  });

  it('reads the NVMe critical-warning bits', () => {
    const d = base();
    d.nvme_smart_health_information_log = { ...d.nvme_smart_health_information_log, critical_warning: 0x08 };
    expect(assessDisk(d).reasons[0]).toMatchObject({ severity: 'failed', code: 'nvme-read-only' });
  });

  it('warns near, and fails at, the spare threshold', () => {
    const d = base();
    d.nvme_smart_health_information_log = { ...d.nvme_smart_health_information_log, available_spare: 15, available_spare_threshold: 10 };
    expect(assessDisk(d).reasons.find((r) => r.code === 'spare-low')?.severity).toBe('warning');
    d.nvme_smart_health_information_log = { ...d.nvme_smart_health_information_log, available_spare: 10 };
    expect(assessDisk(d).verdict).toBe('failing');
  });

  it('reports a rising reallocated count against the previous reading as failing', () => {
    const before = load('ST3500418AS_11.json');
    const after = structuredClone(before);
    const attr = after.ata_smart_attributes!.table.find((a) => a.id === 5)!;
    attr.raw.value = 9;
    const h = assessDisk(after, before);
    expect(h.verdict).toBe('failing');
    expect(h.reasons[0]).toMatchObject({ code: 'reallocated-rising', params: { from: 1, to: 9 } });
  });

  it('warns about heat against the drive’s own trip temperature', () => {
    const d = load('HITACHI_H109060SESUN600G_10.json');
    d.temperature = { ...d.temperature, current: 86 };
    expect(assessDisk(d).reasons.find((r) => r.code === 'temperature')).toMatchObject({ params: { celsius: 86, limit: 85 } });
  });
});
