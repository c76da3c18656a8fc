import { parseArgs } from 'node:util';
import type { ConsoleServices } from '../compose';
import { ACTIVE_ALERT_STATES, ALERT_STATES, type Alert, type ThresholdUnit } from '../contract/alerts.contract';
import type { CliIo } from './cli-io';
import { caller, findAppliance, listAppliances } from './cli-calls';
import { EXIT, EXIT_CODES_HELP } from './exit-codes';
import { textTable } from './text-table';

export const ALERTS_HELP = `Usage: appliance-console alerts [options]

List alerts: by default the active ones (pending, firing, acknowledged), worst first.

Options:
  --all                  also resolved alerts (the history), newest first
  --appliance NAME|ID    only this appliance's alerts
  --json                 machine-readable output (every field, times in ISO 8601 UTC)
  --data-dir DIR         console data directory (default: $APPLIANCE_CONSOLE_DATA_DIR or the XDG data dir)
  -h, --help             this help

Acknowledging and silencing are in the console's Alerts page.

${EXIT_CODES_HELP}`;

const UNIT_TEXT: Record<ThresholdUnit, string> = { percent: ' %', celsius: ' °C', seconds: ' s' };
/** Enough for any fleet's active alerts; the history is paged through to the end. */
const PAGE = 500;

/** What the alert measured, with its unit, or the facts the rule reports (service state, SMART verdict). */
function detail(a: Alert): string {
  const p = a.params;
  if (a.value !== null && a.unit) {
    const limit = typeof p.threshold === 'number' ? ` (limit ${p.threshold}${UNIT_TEXT[a.unit]})` : '';
    return `${a.value}${UNIT_TEXT[a.unit]}${limit}`;
  }
  return Object.entries(p)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
}

function table(alerts: readonly Alert[]): string {
  const head = ['SEVERITY', 'STATE', 'RULE', 'APPLIANCE', 'SUBJECT', 'DETAIL', 'SINCE (UTC)'];
  const rows = alerts.map((a) => [
    a.severity,
    a.state + (a.silencedBy ? ' (silenced)' : ''),
    a.ruleId,
    a.applianceName,
    a.subject || '-',
    detail(a),
    (a.firedAt ?? a.startedAt).replace('T', ' ').replace(/\.\d+Z$/, 'Z'),
  ]);
  return textTable(head, rows);
}

const SEVERITY_ORDER = { critical: 0, warning: 1 } as const;

export async function runAlertsCommand(argv: string[], io: CliIo, open: (dataDir?: string) => ConsoleServices): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      all: { type: 'boolean' },
      appliance: { type: 'string' },
      json: { type: 'boolean' },
      'data-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.out(ALERTS_HELP);
    return EXIT.ok;
  }
  const services = open(values['data-dir']);
  try {
    const call = caller(services);
    const applianceId = values.appliance ? findAppliance(await listAppliances(call), values.appliance).id : undefined;
    const states = values.all ? [...ALERT_STATES] : [...ACTIVE_ALERT_STATES];
    const alerts: Alert[] = [];
    let cursor: number | undefined;
    do {
      const page = (await call('alerts.list', { states, limit: PAGE, ...(applianceId ? { applianceId } : {}), ...(cursor ? { cursor } : {}) })) as { alerts: Alert[]; nextCursor: number | null };
      alerts.push(...page.alerts);
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    // Active: worst first, as a field engineer reads them. History (--all): newest first, as stored.
    if (!values.all) alerts.sort((x, y) => SEVERITY_ORDER[x.severity] - SEVERITY_ORDER[y.severity] || (y.firedAt ?? y.startedAt).localeCompare(x.firedAt ?? x.startedAt));
    if (values.json) io.out(JSON.stringify({ alerts }, null, 2));
    else io.out(alerts.length === 0 ? (values.all ? 'No alerts recorded.' : 'No active alerts.') : table(alerts));
    return EXIT.ok;
  } finally {
    await services.close();
  }
}
