import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { assessDisk, type DiskHealth, type SmartctlJson } from '../health/smart-verdict';
import { differentDriveProblem, readSmartctlRecording } from '../health/smartctl-recording';
import { UsageError, type CliIo } from './cli-io';
import { EXIT, EXIT_CODES_HELP } from './exit-codes';

export const DISK_HEALTH_HELP = `Usage: appliance-console disk-health --smartctl-json FILE [--previous FILE] [--json]

Disk health from a recording of \`smartctl --json -x /dev/…\` (SATA, SAS or NVMe), for support
staff analysing a customer's output without the appliance: a verdict (healthy, warning, failing,
failed) and the reasons in words. No console data directory is used.

Options:
  --smartctl-json FILE   smartctl's JSON output ("-" reads standard input)
  --previous FILE        an earlier recording of the same disk, to report rising counts
                         (refused when its model, serial number or WWN differ)
  --json                 machine-readable output
  -h, --help             this help

${EXIT_CODES_HELP}`;

function readRecording(file: string, io: CliIo, stdin: () => Promise<string>): Promise<string> {
  if (file === '-') return stdin();
  try {
    return Promise.resolve(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new UsageError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
}

function parseRecording(text: string, file: string): SmartctlJson {
  const howToRecord = `record it with: smartctl --json -x /dev/DISK > ${file === '-' ? 'FILE' : file}`;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new UsageError(`${file} is not JSON; ${howToRecord}`);
  }
  const read = readSmartctlRecording(json);
  if (!read.ok) throw new UsageError(`${file}: ${read.problem}; ${howToRecord}`);
  return read.recording;
}

function describe(h: DiskHealth): string {
  const d = h.device;
  const m = h.metrics;
  const lines = [
    `Disk:     ${d.model ?? 'unknown model'} (${d.protocol}${d.kind !== 'unknown' ? `, ${d.kind}` : ''})${d.serial ? `, serial ${d.serial}` : ''}${d.firmware ? `, firmware ${d.firmware}` : ''}`,
    d.capacityBytes !== null ? `Capacity: ${(d.capacityBytes / 1e9).toFixed(1)} GB` : null,
    m.powerOnHours !== null ? `Power-on: ${m.powerOnHours} h` : null,
    m.temperatureC !== null ? `Temp:     ${m.temperatureC} °C${m.temperatureLimitC !== null ? ` (limit ${m.temperatureLimitC} °C)` : ''}` : null,
    m.percentageUsed !== null ? `Wear:     ${m.percentageUsed} % of rated endurance used` : null,
    `Verdict:  ${h.verdict.toUpperCase()}`,
    ...h.reasons.map((r) => `  - [${r.severity}] ${r.message}`),
  ];
  return lines.filter((l): l is string => l !== null).join('\n');
}

export async function runDiskHealthCommand(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: { 'smartctl-json': { type: 'string' }, previous: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    io.out(DISK_HEALTH_HELP);
    return EXIT.ok;
  }
  const file = values['smartctl-json'];
  if (!file) throw new UsageError('disk-health needs --smartctl-json FILE');
  const current = parseRecording(await readRecording(file, io, io.readStdin), file);
  const previous = values.previous ? parseRecording(await readRecording(values.previous, io, io.readStdin), values.previous) : undefined;
  const otherDrive = previous ? differentDriveProblem(current, previous) : null;
  if (otherDrive) throw new UsageError(`--previous ${values.previous} is not an earlier reading of the drive in ${file}: ${otherDrive}`);
  const health = assessDisk(current, previous);
  io.out(values.json ? JSON.stringify(health, null, 2) : describe(health));
  return EXIT.ok;
}
