/**
 * Reports as tables (issue 10 §4): what each kind holds for a time range and a set of appliances,
 * read through the console's own API (the figures the UI shows), with typed columns whose headers
 * carry their units, in both languages. The formats (report-formats.ts) only lay these out.
 */

export const REPORT_KINDS = ['alerts', 'audit', 'disk-health'] as const;
export type ReportKind = (typeof REPORT_KINDS)[number];
export type ReportLocale = 'en' | 'zh-CN';

export interface ReportColumn {
  key: string;
  header: Record<ReportLocale, string>;
  type: 'text' | 'number' | 'date';
}

export interface ReportTable {
  kind: ReportKind;
  title: Record<ReportLocale, string>;
  columns: ReportColumn[];
  rows: Record<string, string | number | Date | null>[];
}

export interface ReportRequest {
  kind: ReportKind;
  fromMs: number;
  toMs: number;
  /** Appliance ids; empty: every appliance. */
  applianceIds: string[];
}

type ReadApi = (method: string, input: Record<string, unknown>) => Promise<unknown>;

const col = (key: string, en: string, zh: string, type: ReportColumn['type'] = 'text'): ReportColumn => ({ key, header: { en, 'zh-CN': zh }, type });
const date = (iso: string | null | undefined) => (iso ? new Date(iso) : null);

export async function buildReportTable(readApi: ReadApi, req: ReportRequest): Promise<ReportTable> {
  const fleet = ((await readApi('fleet.list', {})) as { appliances: { id: string; name: string }[] }).appliances;
  const chosen = req.applianceIds.length ? fleet.filter((a) => req.applianceIds.includes(a.id)) : fleet;
  const names = new Map(fleet.map((a) => [a.id, a.name]));
  const inRange = (iso: string | null) => iso !== null && Date.parse(iso) >= req.fromMs && Date.parse(iso) <= req.toMs;

  switch (req.kind) {
    case 'alerts': {
      const rows: ReportTable['rows'] = [];
      for (const a of chosen) {
        let cursor: number | undefined;
        for (let page = 0; page < 100; page++) {
          const r = (await readApi('alerts.list', { applianceId: a.id, states: ['pending', 'firing', 'acknowledged', 'resolved'], limit: 500, ...(cursor ? { cursor } : {}) })) as {
            alerts: { ruleId: string; applianceName: string; subject: string; severity: string; state: string; startedAt: string; firedAt: string | null; resolvedAt: string | null; value: number | null; unit: string | null; acknowledged: { by: string } | null }[];
            nextCursor: number | null;
          };
          for (const x of r.alerts) {
            // An alert belongs to the range when any part of it lies inside.
            const end = x.resolvedAt ? Date.parse(x.resolvedAt) : Date.now();
            if (Date.parse(x.startedAt) > req.toMs || end < req.fromMs) continue;
            rows.push({
              appliance: x.applianceName,
              rule: x.ruleId,
              subject: x.subject,
              severity: x.severity,
              state: x.state,
              started: date(x.startedAt),
              fired: date(x.firedAt),
              resolved: date(x.resolvedAt),
              durationMin: Math.round((end - Date.parse(x.startedAt)) / 60_000),
              value: x.value,
              unit: x.unit ?? '',
              acknowledgedBy: x.acknowledged?.by ?? '',
            });
          }
          if (r.nextCursor === null || r.alerts.some((x) => Date.parse(x.startedAt) < req.fromMs)) break;
          cursor = r.nextCursor;
        }
      }
      rows.sort((x, y) => (x.started as Date).getTime() - (y.started as Date).getTime());
      return {
        kind: 'alerts',
        title: { en: 'Alerts and incidents', 'zh-CN': '告警与事件' },
        columns: [
          col('appliance', 'Appliance', '设备'),
          col('rule', 'Rule', '规则'),
          col('subject', 'Subject', '对象'),
          col('severity', 'Severity', '级别'),
          col('state', 'State', '状态'),
          col('started', 'Started', '开始时间', 'date'),
          col('fired', 'Fired', '触发时间', 'date'),
          col('resolved', 'Resolved', '恢复时间', 'date'),
          col('durationMin', 'Duration (min)', '持续时间（分钟）', 'number'),
          col('value', 'Value', '测量值', 'number'),
          col('unit', 'Unit of value', '测量值单位'),
          col('acknowledgedBy', 'Acknowledged by', '确认人'),
        ],
        rows,
      };
    }
    case 'audit': {
      const ids = new Set(chosen.map((a) => a.id));
      const rows: ReportTable['rows'] = [];
      let before: number | undefined;
      for (let page = 0; page < 400; page++) {
        const r = (await readApi('audit.list', { limit: 500, ...(before ? { before } : {}) })) as { entries: { id: number; at: string; host: string; actor: string; method: string; target: string | null; result: string; errorCode: string | null }[]; nextCursor: number | null };
        for (const e of r.entries) {
          if (!inRange(e.at)) continue;
          if (req.applianceIds.length && (e.target === null || !ids.has(e.target))) continue;
          rows.push({ at: date(e.at), actor: e.actor, host: e.host, method: e.method, appliance: e.target ? (names.get(e.target) ?? e.target) : '', result: e.result, errorCode: e.errorCode ?? '' });
        }
        if (r.nextCursor === null || r.entries.some((e) => Date.parse(e.at) < req.fromMs)) break;
        before = r.nextCursor;
      }
      rows.reverse();
      return {
        kind: 'audit',
        title: { en: 'Audit log', 'zh-CN': '审计日志' },
        columns: [col('at', 'Time', '时间', 'date'), col('actor', 'Who', '操作人'), col('host', 'Console', '控制台'), col('method', 'Action', '操作'), col('appliance', 'Appliance', '设备'), col('result', 'Result', '结果'), col('errorCode', 'Error code', '错误码')],
        rows,
      };
    }
    case 'disk-health': {
      const rows: ReportTable['rows'] = [];
      for (const a of chosen) {
        const r = (await readApi('disks.list', { applianceId: a.id })) as { disks: { device: string; verdict: string; reasons: { code: string }[]; identity: { model: string | null; serial: string | null; capacityBytes: number | null }; metrics: Record<string, number | null>; judgedAt: string }[] };
        for (const d of r.disks) {
          rows.push({
            appliance: a.name,
            device: d.device,
            model: d.identity.model ?? '',
            serial: d.identity.serial ?? '',
            capacityGB: d.identity.capacityBytes === null ? null : Math.round(d.identity.capacityBytes / 1e9),
            verdict: d.verdict,
            temperatureC: d.metrics.temperatureC ?? null,
            powerOnHours: d.metrics.powerOnHours ?? null,
            reallocatedSectors: d.metrics.reallocatedSectors ?? null,
            wearPercent: d.metrics.percentageUsed ?? null,
            reasons: d.reasons.map((x) => x.code).join(', '),
            judged: date(d.judgedAt),
          });
        }
      }
      return {
        kind: 'disk-health',
        title: { en: 'Disk health (SMART verdicts)', 'zh-CN': '磁盘健康（SMART 结论）' },
        columns: [
          col('appliance', 'Appliance', '设备'),
          col('device', 'Device', '磁盘'),
          col('model', 'Model', '型号'),
          col('serial', 'Serial', '序列号'),
          col('capacityGB', 'Capacity (GB)', '容量（GB）', 'number'),
          col('verdict', 'Verdict', '结论'),
          col('temperatureC', 'Temperature (°C)', '温度（°C）', 'number'),
          col('powerOnHours', 'Power-on (h)', '通电时间（小时）', 'number'),
          col('reallocatedSectors', 'Reallocated sectors (count)', '重映射扇区（个）', 'number'),
          col('wearPercent', 'Wear (%)', '磨损（%）', 'number'),
          col('reasons', 'Reasons', '原因'),
          col('judged', 'Judged at', '判定时间', 'date'),
        ],
        rows,
      };
    }
  }
}
