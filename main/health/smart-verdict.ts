import { z } from 'zod';

/**
 * Disk health from `smartctl --json -x` output (JSON format 1.x) for SATA/ATA, SAS/SCSI and NVMe:
 * a verdict — healthy, warning, failing, failed — and the reasons in words. The rules follow what
 * smartd checks and what large fleets have found predictive (Backblaze's drive stats: reallocated,
 * pending and uncorrectable sectors and command timeouts; NVMe's own critical-warning bits, spare
 * and wear). Pure: it reads a recording, so support staff can run it on a customer's output.
 */

export type Verdict = 'healthy' | 'warning' | 'failing' | 'failed';
const RANK: Record<Verdict, number> = { healthy: 0, warning: 1, failing: 2, failed: 3 };

/** Every reason this module can give; the UI words each one (`disks.reason.<code>`, en and zh-CN). */
export const REASON_CODES = [
  'smart-failed',
  'nvme-reliability-degraded',
  'nvme-read-only',
  'nvme-backup-failed',
  'nvme-spare-low',
  'nvme-temperature',
  'attribute-failing',
  'attribute-failed-past',
  'prefail-threshold',
  'pending-sectors',
  'offline-uncorrectable',
  'reported-uncorrectable',
  'media-errors',
  'grown-defects',
  'reallocated-sectors',
  'crc-errors',
  'scsi-uncorrected',
  'spare-low',
  'worn-out',
  'wear',
  'temperature',
  'old-drive',
  'self-test-failed',
  'error-log',
  'incomplete',
  'reallocated-rising',
  'pending-rising',
  'media-errors-rising',
  'grown-defects-rising',
] as const;
export type ReasonCode = (typeof REASON_CODES)[number];

export interface Reason {
  /** A ReasonCode from this module; a string, because recordings stored by older versions may hold others. */
  code: string;
  severity: Exclude<Verdict, 'healthy'>;
  message: string;
  params?: Record<string, string | number>;
}

export interface DiskMetrics {
  temperatureC: number | null;
  temperatureLimitC: number | null;
  powerOnHours: number | null;
  reallocatedSectors: number | null;
  pendingSectors: number | null;
  offlineUncorrectable: number | null;
  reportedUncorrectable: number | null;
  crcErrors: number | null;
  mediaErrors: number | null;
  percentageUsed: number | null;
  availableSpare: number | null;
  availableSpareThreshold: number | null;
  grownDefects: number | null;
}

export interface DiskHealth {
  verdict: Verdict;
  reasons: Reason[];
  device: { model: string | null; serial: string | null; firmware: string | null; capacityBytes: number | null; protocol: string; kind: 'hdd' | 'ssd' | 'nvme' | 'unknown' };
  metrics: DiskMetrics;
}

const ataAttribute = z.looseObject({
  id: z.number(),
  name: z.string(),
  value: z.number(),
  thresh: z.number(),
  when_failed: z.string().optional(),
  flags: z.looseObject({ prefailure: z.boolean().optional() }).optional(),
  raw: z.looseObject({ value: z.number() }),
});

/** The fields we read; everything else in smartctl's output is allowed and ignored. */
export const smartctlJson = z.looseObject({
  json_format_version: z.array(z.number()).optional(),
  smartctl: z.looseObject({ exit_status: z.number().optional() }).optional(),
  device: z.looseObject({ protocol: z.string().optional(), type: z.string().optional() }).optional(),
  model_name: z.string().optional(),
  scsi_model_name: z.string().optional(),
  serial_number: z.string().optional(),
  firmware_version: z.string().optional(),
  scsi_revision: z.string().optional(),
  user_capacity: z.looseObject({ bytes: z.number() }).optional(),
  nvme_total_capacity: z.number().optional(),
  rotation_rate: z.number().optional(),
  smart_status: z.looseObject({ passed: z.boolean().optional() }).optional(),
  temperature: z.looseObject({ current: z.number().optional(), drive_trip: z.number().optional(), op_limit_max: z.number().optional() }).optional(),
  power_on_time: z.looseObject({ hours: z.number().optional() }).optional(),
  ata_smart_attributes: z.looseObject({ table: z.array(ataAttribute) }).optional(),
  nvme_smart_health_information_log: z
    .looseObject({
      critical_warning: z.number().optional(),
      available_spare: z.number().optional(),
      available_spare_threshold: z.number().optional(),
      percentage_used: z.number().optional(),
      media_errors: z.number().optional(),
      power_on_hours: z.number().optional(),
      temperature: z.number().optional(),
    })
    .optional(),
  scsi_grown_defect_list: z.number().optional(),
  scsi_error_counter_log: z.record(z.string(), z.looseObject({ total_uncorrected_errors: z.number().optional() })).optional(),
  scsi_percentage_used_endurance_indicator: z.number().optional(),
});
export type SmartctlJson = z.infer<typeof smartctlJson>;

/** ATA attribute ids whose normalised value falls as an SSD wears (100 = new). */
const ATA_WEAR_IDS = [177, 202, 231, 233];
/** Five years of power-on time: past the warranty of most drives and where failure rates climb. */
const OLD_DRIVE_HOURS = 5 * 8766;
const WEAR_WARNING_PERCENT = 70;

function kindOf(d: SmartctlJson): DiskHealth['device']['kind'] {
  const protocol = d.device?.protocol;
  if (protocol === 'NVMe') return 'nvme';
  if (d.rotation_rate === 0) return 'ssd';
  if (typeof d.rotation_rate === 'number' && d.rotation_rate > 0) return 'hdd';
  return 'unknown';
}

/** smartctl's exit status bits (smartctl(8), "RETURN VALUES"). */
const EXIT_SMART_COMMAND_FAILED = 1 << 2;
const EXIT_DISK_FAILING = 1 << 3;
const EXIT_PREFAIL_BELOW_THRESHOLD = 1 << 4;
const EXIT_ERROR_LOG = 1 << 6;
const EXIT_SELF_TEST_ERRORS = 1 << 7;

/**
 * The verdict for one recording. `previous`, an earlier recording of the same disk, adds trends:
 * sectors that are being reallocated or going pending now are a failing disk even at low counts.
 */
export function assessDisk(input: SmartctlJson, previous?: SmartctlJson): DiskHealth {
  const reasons: Reason[] = [];
  const add = (severity: Reason['severity'], code: ReasonCode, message: string, params?: Reason['params']) => reasons.push({ code, severity, message, ...(params ? { params } : {}) });
  const kind = kindOf(input);
  const metrics = readMetrics(input, kind);
  const exit = input.smartctl?.exit_status ?? 0;

  if (input.smart_status?.passed === false || exit & EXIT_DISK_FAILING) {
    add('failed', 'smart-failed', 'The drive reports its SMART overall health as FAILED: replace it.');
  }
  const nvme = input.nvme_smart_health_information_log;
  const cw = nvme?.critical_warning ?? 0;
  if (cw & 0x04) add('failed', 'nvme-reliability-degraded', 'The NVMe drive reports its reliability is degraded (media or internal errors): replace it.');
  if (cw & 0x08) add('failed', 'nvme-read-only', 'The NVMe drive has put itself in read-only mode: replace it.');
  if (cw & 0x10) add('failed', 'nvme-backup-failed', 'The NVMe drive reports its volatile memory backup has failed.');
  if (cw & 0x01) add('failing', 'nvme-spare-low', 'The NVMe drive reports its spare capacity is below threshold.');
  if (cw & 0x02) add('warning', 'nvme-temperature', 'The NVMe drive reports a temperature outside its limits.');

  for (const a of input.ata_smart_attributes?.table ?? []) {
    if (a.when_failed === 'now' || (a.thresh > 0 && a.value <= a.thresh && a.flags?.prefailure)) {
      add('failing', 'attribute-failing', `SMART attribute ${a.id} ${a.name} is at or below its failure threshold (${a.value} ≤ ${a.thresh}).`, { id: a.id, name: a.name, value: a.value, thresh: a.thresh });
    } else if (a.when_failed === 'past' || a.when_failed === 'in_the_past') {
      add('warning', 'attribute-failed-past', `SMART attribute ${a.id} ${a.name} was below its threshold in the past.`, { id: a.id, name: a.name });
    }
  }
  // smartctl's own exit bit, for when no attribute above told which one (its own code: no id to show).
  if (exit & EXIT_PREFAIL_BELOW_THRESHOLD && !reasons.some((r) => r.code === 'attribute-failing')) {
    add('failing', 'prefail-threshold', 'smartctl reports a pre-failure attribute at or below its threshold.');
  }

  const count = (n: number | null, severity: Reason['severity'], code: ReasonCode, what: string, advice: string) => {
    if (n !== null && n > 0) add(severity, code, `${n} ${what}. ${advice}`, { count: n });
  };
  count(metrics.pendingSectors, 'failing', 'pending-sectors', 'sectors are pending reallocation (unreadable)', 'Data on them may be lost; back up and replace the disk.');
  count(metrics.offlineUncorrectable, 'failing', 'offline-uncorrectable', 'sectors could not be corrected in offline scans', 'Replace the disk.');
  count(metrics.reportedUncorrectable, 'failing', 'reported-uncorrectable', 'uncorrectable errors were reported to the host', 'Replace the disk.');
  count(metrics.mediaErrors, 'failing', 'media-errors', 'unrecovered media errors', 'Replace the disk.');
  count(metrics.grownDefects, 'warning', 'grown-defects', 'defects have grown since the drive left the factory', 'Watch the trend.');
  count(metrics.reallocatedSectors, 'warning', 'reallocated-sectors', 'sectors have been reallocated', 'Watch the trend; a rising count means the disk is failing.');
  count(metrics.crcErrors, 'warning', 'crc-errors', 'interface CRC errors', 'Usually a cable or backplane fault, not the disk: reseat or replace the cable.');
  const scsiUncorrected = Object.values(input.scsi_error_counter_log ?? {}).reduce((s, l) => s + (l.total_uncorrected_errors ?? 0), 0);
  count(scsiUncorrected || null, 'failing', 'scsi-uncorrected', 'uncorrected read/write/verify errors', 'Replace the disk.');

  if (metrics.availableSpare !== null && metrics.availableSpareThreshold !== null && !(cw & 0x01)) {
    if (metrics.availableSpare <= metrics.availableSpareThreshold) {
      add('failing', 'spare-low', `Available spare is ${metrics.availableSpare} %, at or below the drive's threshold of ${metrics.availableSpareThreshold} %.`, {
        spare: metrics.availableSpare,
        threshold: metrics.availableSpareThreshold,
      });
    } else if (metrics.availableSpare < metrics.availableSpareThreshold + 10) {
      add('warning', 'spare-low', `Available spare is ${metrics.availableSpare} %, close to the drive's threshold of ${metrics.availableSpareThreshold} %.`, {
        spare: metrics.availableSpare,
        threshold: metrics.availableSpareThreshold,
      });
    }
  }
  if (metrics.percentageUsed !== null) {
    if (metrics.percentageUsed >= 100) add('failing', 'worn-out', `The drive has used ${metrics.percentageUsed} % of its rated endurance: replace it.`, { percent: metrics.percentageUsed });
    else if (metrics.percentageUsed >= WEAR_WARNING_PERCENT) {
      add('warning', 'wear', `The drive has used ${metrics.percentageUsed} % of its rated endurance; plan its replacement.`, { percent: metrics.percentageUsed });
    }
  }
  if (metrics.temperatureC !== null && metrics.temperatureLimitC !== null && metrics.temperatureC >= metrics.temperatureLimitC) {
    add('warning', 'temperature', `The drive is at ${metrics.temperatureC} °C, at or above its limit of ${metrics.temperatureLimitC} °C: check cooling.`, {
      celsius: metrics.temperatureC,
      limit: metrics.temperatureLimitC,
    });
  }
  if (metrics.powerOnHours !== null && metrics.powerOnHours >= OLD_DRIVE_HOURS) {
    add('warning', 'old-drive', `The drive has run ${metrics.powerOnHours} h (${(metrics.powerOnHours / 8766).toFixed(1)} years); failure rates rise with age.`, { hours: metrics.powerOnHours });
  }
  if (exit & EXIT_SELF_TEST_ERRORS) add('failing', 'self-test-failed', 'The drive\'s self-test log records a failed test.');
  if (exit & EXIT_ERROR_LOG) add('warning', 'error-log', 'The drive\'s error log has entries; look at `smartctl -x` for what they were.');
  if (exit & EXIT_SMART_COMMAND_FAILED) add('warning', 'incomplete', 'Some SMART commands failed, so this assessment may be incomplete.');

  if (previous) addTrends(add, readMetrics(previous, kindOf(previous)), metrics);

  const verdict = reasons.reduce<Verdict>((worst, r) => (RANK[r.severity] > RANK[worst] ? r.severity : worst), 'healthy');
  reasons.sort((a, b) => RANK[b.severity] - RANK[a.severity]);
  return {
    verdict,
    reasons,
    device: {
      model: input.model_name ?? input.scsi_model_name ?? null,
      serial: input.serial_number ?? null,
      firmware: input.firmware_version ?? input.scsi_revision ?? null,
      capacityBytes: input.user_capacity?.bytes ?? input.nvme_total_capacity ?? null,
      protocol: input.device?.protocol ?? 'unknown',
      kind,
    },
    metrics,
  };
}

function addTrends(add: (s: Reason['severity'], code: ReasonCode, message: string, params?: Reason['params']) => void, before: DiskMetrics, now: DiskMetrics): void {
  const rising: [keyof DiskMetrics, ReasonCode, string][] = [
    ['reallocatedSectors', 'reallocated-rising', 'Reallocated sectors rose'],
    ['pendingSectors', 'pending-rising', 'Pending sectors rose'],
    ['mediaErrors', 'media-errors-rising', 'Media errors rose'],
    ['grownDefects', 'grown-defects-rising', 'Grown defects rose'],
  ];
  for (const [key, code, what] of rising) {
    const a = before[key];
    const b = now[key];
    if (a !== null && b !== null && b > a) add('failing', code, `${what} from ${a} to ${b} since the previous reading: the disk is deteriorating; replace it.`, { from: a, to: b });
  }
}

function readMetrics(d: SmartctlJson, kind: DiskHealth['device']['kind']): DiskMetrics {
  const attrs = new Map((d.ata_smart_attributes?.table ?? []).map((a) => [a.id, a]));
  const raw = (id: number) => attrs.get(id)?.raw.value ?? null;
  const nvme = d.nvme_smart_health_information_log;
  const ataWear = ATA_WEAR_IDS.map((id) => attrs.get(id)).find((a) => a !== undefined);
  const percentageUsed = nvme?.percentage_used ?? d.scsi_percentage_used_endurance_indicator ?? (kind === 'ssd' && ataWear ? Math.max(0, 100 - ataWear.value) : null);
  // The drive's own limit when it states one; otherwise a conservative default for its kind.
  const limit = d.temperature?.drive_trip ?? d.temperature?.op_limit_max ?? (kind === 'hdd' ? 60 : kind === 'unknown' ? null : 70);
  return {
    temperatureC: d.temperature?.current ?? nvme?.temperature ?? null,
    temperatureLimitC: limit,
    powerOnHours: d.power_on_time?.hours ?? nvme?.power_on_hours ?? null,
    reallocatedSectors: raw(5),
    pendingSectors: raw(197),
    offlineUncorrectable: raw(198),
    reportedUncorrectable: raw(187),
    crcErrors: raw(199),
    mediaErrors: nvme?.media_errors ?? null,
    percentageUsed,
    availableSpare: nvme?.available_spare ?? null,
    availableSpareThreshold: nvme?.available_spare_threshold ?? null,
    grownDefects: d.scsi_grown_defect_list ?? null,
  };
}
