import { z } from 'zod';
import { smartctlJson, type SmartctlJson } from './smart-verdict';

/**
 * What a file must be before a verdict is given on it: `smartctl --json` output about a drive.
 * The verdict's schema lets every field be absent (drives report different subsets), so `{}` or any
 * other JSON object would otherwise pass as a drive with nothing wrong — "HEALTHY". A support
 * engineer handed the wrong file must be told so instead.
 */
export type RecordingCheck = { ok: true; recording: SmartctlJson } | { ok: false; problem: string };

/** smartctl(8) exit status bits that mean no drive data follows. */
const EXIT_COMMAND_LINE = 1 << 0;
const EXIT_DEVICE_OPEN = 1 << 1;

/** The blocks at least one of which every drive's SMART report has (ATA, NVMe, SCSI). */
const HEALTH_BLOCKS = ['smart_status', 'ata_smart_attributes', 'nvme_smart_health_information_log', 'scsi_error_counter_log', 'scsi_grown_defect_list'] as const;

const smartctlMessages = z.looseObject({ messages: z.array(z.looseObject({ string: z.string() })).optional() });

function kindOf(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** Reads parsed JSON as a smartctl recording, or says what about it is not one. */
export function readSmartctlRecording(json: unknown): RecordingCheck {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return { ok: false, problem: `not smartctl -j output: the JSON is ${kindOf(json)}, not an object` };
  const doc = json as Record<string, unknown>;
  const missing = [
    Array.isArray(doc.json_format_version) ? null : 'no json_format_version',
    typeof doc.smartctl === 'object' && doc.smartctl !== null ? null : 'no smartctl block',
    typeof doc.device === 'object' && doc.device !== null ? null : 'no device block',
  ].filter((m): m is string => m !== null);
  if (missing.length > 0) return { ok: false, problem: `not smartctl -j output: ${missing.join(', ')}` };

  const parsed = smartctlJson.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, problem: `not smartctl -j output as this console reads it: ${issue?.path.join('.') || '(top level)'}: ${issue?.message ?? 'unreadable'}` };
  }
  const recording = parsed.data;
  const exit = recording.smartctl?.exit_status ?? 0;
  if (exit & (EXIT_COMMAND_LINE | EXIT_DEVICE_OPEN)) {
    const said = smartctlMessages.safeParse(recording.smartctl).data?.messages?.map((m) => m.string).join('; ');
    return { ok: false, problem: `smartctl could not read the drive (exit status ${exit}${said ? `: ${said}` : ''}), so the recording holds no SMART data` };
  }
  if (!HEALTH_BLOCKS.some((block) => doc[block] !== undefined)) {
    return { ok: false, problem: `no SMART health data in it (none of ${HEALTH_BLOCKS.join(', ')}); record it with smartctl --json -x, and check that SMART is enabled on the drive` };
  }
  return { ok: true, recording };
}

/** How a recording names its drive; null where it does not say. */
export interface DriveIdentity {
  model: string | null;
  serial: string | null;
  wwn: string | null;
}

const wwnBlock = z.looseObject({ naa: z.number(), oui: z.number(), id: z.number() });

export function driveIdentity(r: SmartctlJson): DriveIdentity {
  const wwn = wwnBlock.safeParse(r.wwn);
  return {
    model: r.model_name ?? r.scsi_model_name ?? null,
    serial: r.serial_number ?? null,
    // smartctl prints it as NAA, OUI and id in hex: 5 000c50 0a1b2c3d4.
    wwn: wwn.success ? `${wwn.data.naa.toString(16)} ${wwn.data.oui.toString(16).padStart(6, '0')} ${wwn.data.id.toString(16)}` : null,
  };
}

const IDENTITY_LABELS: Record<keyof DriveIdentity, string> = { model: 'model', serial: 'serial number', wwn: 'WWN' };

/**
 * Null when `previous` can be an earlier reading of the drive in `current`; otherwise why not.
 * Counts compared across two drives would report a replaced disk as deteriorating (or a failing
 * one as fine), so a recording of another drive is refused, not compared.
 */
export function differentDriveProblem(current: SmartctlJson, previous: SmartctlJson): string | null {
  const now = driveIdentity(current);
  const before = driveIdentity(previous);
  const fields = (Object.keys(IDENTITY_LABELS) as (keyof DriveIdentity)[]).filter((k) => now[k] !== null && before[k] !== null);
  if (fields.length === 0) return 'the recordings do not both name the drive (model, serial number or WWN), so they cannot be told to be the same drive';
  const differing = fields.filter((k) => now[k] !== before[k]);
  if (differing.length === 0) return null;
  return `it is another drive: ${differing.map((k) => `${IDENTITY_LABELS[k]} ${JSON.stringify(before[k])} there, ${JSON.stringify(now[k])} here`).join('; ')}`;
}
