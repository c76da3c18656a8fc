import type { SmartSelfTestLogEntry, SmartSummary } from '../../../protocol/payloads/smart';

/**
 * Reading the few fields the agent keeps from `smartctl -j -x` output (smartctl's JSON format 1.0:
 * ataprint.cpp, nvmeprint.cpp, scsiprint.cpp in smartmontools). Anything missing or of the wrong
 * type reads as null: drives differ, and one odd field must not hide the rest.
 */
type Json = Record<string, unknown>;

function obj(v: unknown): Json | null {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : null;
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function int(v: unknown): number | null {
  const n = num(v);
  return n !== null && Number.isInteger(n) && n >= 0 ? n : null;
}

function text(v: unknown): string | null {
  return typeof v === 'string' && v.length > 0 ? v.slice(0, 512) : null;
}

function at(root: unknown, ...keys: string[]): unknown {
  let cur: unknown = root;
  for (const k of keys) {
    const o = obj(cur);
    if (!o) return undefined;
    cur = o[k];
  }
  return cur;
}

function ataRaw(data: Json, id: number): number | null {
  const table = at(data, 'ata_smart_attributes', 'table');
  if (!Array.isArray(table)) return null;
  const attr = table.map(obj).find((a) => a?.id === id);
  // Raw values of these three are plain counts in the low 48 bits on every vendor we know.
  return attr ? int(at(attr, 'raw', 'value')) : null;
}

export function smartSummary(data: Json): SmartSummary {
  const vendorProduct = [text(data.scsi_vendor), text(data.scsi_product)].filter(Boolean).join(' ');
  const passed = at(data, 'smart_status', 'passed');
  const grown = data.scsi_grown_defect_list;
  return {
    model: text(data.model_name) ?? text(data.scsi_model_name) ?? (vendorProduct || null),
    serial: text(data.serial_number),
    firmware: text(data.firmware_version) ?? text(data.scsi_revision),
    capacityBytes: int(at(data, 'user_capacity', 'bytes')) ?? int(data.nvme_total_capacity),
    passed: typeof passed === 'boolean' ? passed : null,
    temperatureCelsius: num(at(data, 'temperature', 'current')),
    powerOnHours: int(at(data, 'power_on_time', 'hours')),
    reallocatedSectors: ataRaw(data, 5),
    pendingSectors: ataRaw(data, 197),
    offlineUncorrectable: ataRaw(data, 198),
    mediaErrors: int(at(data, 'nvme_smart_health_information_log', 'media_errors')),
    percentageUsed: int(at(data, 'nvme_smart_health_information_log', 'percentage_used')),
    grownDefects: int(grown),
  };
}

/**
 * The drive's self-test log, newest first. Verdicts by the status codes of each protocol:
 * ATA (high nibble of the status byte) 0 completed, 1 aborted by host, 2 interrupted by reset,
 * 3–8 failures (fatal, unknown, electrical, servo, read, handling damage), 15 in progress —
 * smartctl also sets `passed: true` on an in-progress entry, so the nibble decides, not `passed`;
 * NVMe 0 completed, 5–7 failed (fatal, unknown segment, failed segments), others aborted;
 * SCSI 0 completed, 3–7 failed, others aborted or running.
 */
export function selfTestLog(data: Json): SmartSelfTestLogEntry[] {
  const out: SmartSelfTestLogEntry[] = [];
  const ata = at(data, 'ata_smart_self_test_log', 'standard', 'table');
  if (Array.isArray(ata)) {
    for (const e of ata.map(obj)) {
      if (!e) continue;
      const value = int(at(e, 'status', 'value'));
      const nibble = value === null ? null : value >> 4;
      const statusPassed = at(e, 'status', 'passed');
      const passed = nibble === null ? (typeof statusPassed === 'boolean' ? statusPassed : null) : nibble === 0 ? true : nibble >= 3 && nibble <= 8 ? false : null;
      out.push({ type: text(at(e, 'type', 'string')) ?? 'unknown', status: text(at(e, 'status', 'string')) ?? 'unknown', passed, lifetimeHours: int(e.lifetime_hours) });
    }
  }
  const nvme = at(data, 'nvme_self_test_log', 'table');
  if (Array.isArray(nvme)) {
    for (const e of nvme.map(obj)) {
      if (!e) continue;
      const value = int(at(e, 'self_test_result', 'value'));
      const status = text(at(e, 'self_test_result', 'string')) ?? 'unknown';
      const passed = value === null ? (/^completed without error/i.test(status) ? true : null) : value === 0 ? true : value >= 5 && value <= 7 ? false : null;
      out.push({ type: text(at(e, 'self_test_code', 'string')) ?? 'unknown', status, passed, lifetimeHours: int(e.power_on_hours) });
    }
  }
  for (let i = 0; i < 20; i++) {
    const e = obj(data[`scsi_self_test_${i}`]);
    if (!e) continue;
    const value = int(at(e, 'result', 'value'));
    const status = text(at(e, 'result', 'string')) ?? 'unknown';
    const passed = value === null ? (/^completed$/i.test(status) ? true : /fail/i.test(status) ? false : null) : value === 0 ? true : value >= 3 && value <= 7 ? false : null;
    out.push({ type: text(at(e, 'code', 'string')) ?? 'unknown', status, passed, lifetimeHours: int(at(e, 'power_on_time', 'hours')) });
  }
  return out.slice(0, 64);
}

/** A self-test running now, with the share left when the drive says it. */
export function selfTestInProgress(data: Json): { remainingPercent: number | null } | null {
  const ataStatus = at(data, 'ata_smart_data', 'self_test', 'status');
  const ataValue = int(at(ataStatus, 'value'));
  if (ataValue !== null && ataValue >> 4 === 0xf) return { remainingPercent: int(at(ataStatus, 'remaining_percent')) };
  const nvmeOp = int(at(data, 'nvme_self_test_log', 'current_self_test_operation', 'value'));
  if (nvmeOp !== null && nvmeOp !== 0) {
    const done = int(at(data, 'nvme_self_test_log', 'current_self_test_completion_percent'));
    return { remainingPercent: done === null ? null : Math.max(0, 100 - done) };
  }
  if (data.self_test_in_progress === true) return { remainingPercent: null };
  return null;
}
