import { parseArgs } from 'node:util';
import type { ConsoleServices } from '../compose';
import type { AgentSettingsDrift, AgentSettingsValues, AgentSettingsView } from '../contract/agent-settings.contract';
import { UsageError, type CliIo } from './cli-io';
import { caller, findAppliance, listAppliances } from './cli-calls';
import { EXIT, EXIT_CODES_HELP } from './exit-codes';
import { textTable } from './text-table';

export const AGENT_SETTINGS_HELP = `Usage: appliance-console agent-settings <appliance> [options]

The agent's own settings on an appliance (today: Prometheus /metrics). Without a change it prints
what the console intends, what agent.json and settings.json say on the machine and what the agent
runs, and every field where they disagree with the value that wins. settings.json wins over
agent.json; the running agent keeps its settings until it applies a change or restarts. A change is
written to settings.json, applied at once, kept as the console's intent, and written again after
every provisioning or upgrade run.

<appliance> is a name or an id.

Options:
  --prometheus on|off          serve /metrics (off by default)
  --prometheus-host HOST       the address /metrics listens on (127.0.0.1 by default; another needs the token)
  --prometheus-port N          its port (9101 by default)
  --prometheus-token on|off    require 'Authorization: Bearer <the agent's control token>'
  --apply                      write the console's intended settings to the machine again (after a hand edit)
  --json                       machine-readable output (every field)
  --data-dir DIR               console data directory (default: $APPLIANCE_CONSOLE_DATA_DIR or the XDG data dir)
  -h, --help                   this help

Options left out keep the console's intended value (or, before there is one, the machine's).

${EXIT_CODES_HELP}`;

type Prometheus = AgentSettingsValues['prometheus'];

export async function runAgentSettingsCommand(argv: string[], io: CliIo, open: (dataDir?: string) => ConsoleServices): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: true,
    options: {
      prometheus: { type: 'string' },
      'prometheus-host': { type: 'string' },
      'prometheus-port': { type: 'string' },
      'prometheus-token': { type: 'string' },
      apply: { type: 'boolean' },
      json: { type: 'boolean' },
      'data-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.out(AGENT_SETTINGS_HELP);
    return EXIT.ok;
  }
  const [applianceRef, ...extra] = positionals;
  if (!applianceRef) throw new UsageError('name the appliance (its name or id)');
  if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}"`);
  const change = changeFrom(values);

  const services = open(values['data-dir']);
  try {
    const call = caller(services);
    const appliance = findAppliance(await listAppliances(call), applianceRef);
    const setting = change !== null || values.apply === true;
    const view = (setting ? await call('agentSettings.update', { applianceId: appliance.id, prometheus: change ?? {} }) : await call('agentSettings.get', { applianceId: appliance.id })) as AgentSettingsView;
    if (values.json) {
      io.out(JSON.stringify(view, null, 2));
      return EXIT.ok;
    }
    if (!view.machine) io.err(`warning: the agent on ${appliance.name} was not reached (${view.reasonCode ?? 'unknown reason'}${reasonDetail(view)}); only the console's intent is shown`);
    if (setting) io.out(`${appliance.name}: agent settings ${view.changed ? 'written to settings.json and applied' : 'unchanged (settings.json already held them)'}.`);
    io.out(agentSettingsText(appliance.name, view));
    return EXIT.ok;
  } finally {
    await services.close();
  }
}

function changeFrom(values: { prometheus?: string; 'prometheus-host'?: string; 'prometheus-port'?: string; 'prometheus-token'?: string }): Partial<Prometheus> | null {
  const change: Partial<Prometheus> = {};
  if (values.prometheus !== undefined) change.enabled = onOff('--prometheus', values.prometheus);
  if (values['prometheus-host'] !== undefined) change.host = values['prometheus-host'];
  if (values['prometheus-port'] !== undefined) {
    const port = Number(values['prometheus-port']);
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError(`--prometheus-port takes a port number from 1 to 65535, not "${values['prometheus-port']}"`);
    change.port = port;
  }
  if (values['prometheus-token'] !== undefined) change.requireToken = onOff('--prometheus-token', values['prometheus-token']);
  return Object.keys(change).length ? change : null;
}

function onOff(flag: string, value: string): boolean {
  if (value === 'on') return true;
  if (value === 'off') return false;
  throw new UsageError(`${flag} takes on or off, not "${value}"`);
}

function reasonDetail(view: AgentSettingsView): string {
  const detail = view.reasonParams.detail ?? view.reasonParams.cause;
  return detail !== undefined ? `: ${detail}` : '';
}

const FIELDS = [
  ['/metrics', 'enabled'],
  ['host', 'host'],
  ['port', 'port'],
  ['token required', 'requireToken'],
] as const;

const shown = (v: string | number | boolean | null | undefined): string => (v === null || v === undefined ? '-' : typeof v === 'boolean' ? (v ? 'on' : 'off') : String(v));

/** The same table and drift lines as the Appliance page's Agent settings card. */
export function agentSettingsText(name: string, view: AgentSettingsView): string {
  const m = view.machine;
  const rows = FIELDS.map(([label, key]) => [
    label,
    shown(view.intent?.settings.prometheus[key]),
    shown(m?.file?.prometheus[key]),
    shown(m?.agentJson.prometheus[key]),
    shown(m?.running.prometheus[key]),
  ]);
  const lines = [textTable(['SETTING', 'CONSOLE INTENDS', 'SETTINGS.JSON', 'AGENT.JSON', 'RUNNING'], rows)];
  if (m) {
    lines.push('', m.file ? `settings.json (${m.path}) wins over agent.json.` : `There is no settings.json (${m.path}): agent.json's values apply.`);
    if (m.applyError) lines.push(`The agent could not apply its settings: ${m.applyError}`);
  }
  if (!view.intent) lines.push(`The console intends nothing yet: set it with 'appliance-console agent-settings ${name} --prometheus on|off'.`);
  if (view.drift.length) {
    lines.push('', 'Drift:');
    for (const d of view.drift) lines.push(...driftLines(name, d));
  } else if (m) lines.push('No drift: the files, the running agent and the console agree.');
  return lines.join('\n');
}

function driftLines(name: string, d: AgentSettingsDrift): string[] {
  const field = FIELDS.find(([, key]) => `prometheus.${key}` === d.field)?.[0] ?? d.field;
  const file = d.wins === 'settings-file' ? 'settings.json' : 'agent.json';
  const winning = shown(d.wins === 'settings-file' ? d.file : d.agentJson);
  const out: string[] = [];
  if (d.restartPending) out.push(`  ${field}: the agent runs ${shown(d.running)}, ${file} says ${winning}: the running value holds until the agent restarts, then ${file}'s wins.`);
  if (d.intentPending) out.push(`  ${field}: the console intends ${shown(d.intent)}, ${file} says ${winning} and wins on the machine until the console's settings are applied ('appliance-console agent-settings ${name} --apply', or a provisioning or upgrade run).`);
  if (d.agentJsonOverridden) out.push(`  ${field}: agent.json says ${shown(d.agentJson)}, but settings.json says ${shown(d.file)} and wins: the edit of agent.json does not take effect.`);
  return out;
}
