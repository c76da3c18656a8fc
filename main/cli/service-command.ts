import { parseArgs } from 'node:util';
import type { ServiceStatus } from '../../agents/protocol/payloads/services';
import type { ConsoleServices } from '../compose';
import type { MethodOutput } from '../contract/api.contract';
import { UsageError, type CliIo } from './cli-io';
import { caller, findAppliance, listAppliances } from './cli-calls';
import { EXIT, EXIT_CODES_HELP } from './exit-codes';
import { textTable } from './text-table';

export const SERVICE_HELP = `Usage: appliance-console service <action> <appliance> [service] [options]

The services an appliance's agent runs (service modules such as Kodo, and agent.json's own).

Actions:
  list <appliance>               each service: state, readiness, ports, version, restarts, last error
  start <appliance> <service>    start it now
  stop <appliance> <service>     stop it (until started again or the agent restarts)
  restart <appliance> <service>  restart it (the agent and the other services keep running)

<appliance> is a name or an id.

Options:
  --json           machine-readable output (every field the agent reports)
  --data-dir DIR   console data directory (default: $APPLIANCE_CONSOLE_DATA_DIR or the XDG data dir)
  -h, --help       this help

${EXIT_CODES_HELP}`;

const ACTIONS = ['start', 'stop', 'restart'] as const;
type Action = (typeof ACTIONS)[number];

/** The same columns as the Appliance page's Services card. */
export function servicesTable(services: readonly ServiceStatus[]): string {
  const head = ['SERVICE', 'STATE', 'READY', 'PORTS', 'VERSION', 'RESTARTS', 'LAST ERROR'];
  const rows = services.map((s) => [
    s.name,
    s.state + (s.flapping ? ' (crash-looping)' : ''),
    s.readiness ? s.readiness.state + (s.readiness.message ? `: ${s.readiness.message}` : '') : '-',
    s.ports?.length ? s.ports.map((p) => `${p.id} ${p.port}`).join(', ') : '-',
    s.version ?? '-',
    String(s.restarts),
    s.lastError ?? '-',
  ]);
  return textTable(head, rows);
}

export async function runServiceCommand(argv: string[], io: CliIo, open: (dataDir?: string) => ConsoleServices): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: true,
    options: {
      json: { type: 'boolean' },
      'data-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.out(SERVICE_HELP);
    return EXIT.ok;
  }
  const [action, applianceRef, service, ...extra] = positionals;
  if (action !== 'list' && !ACTIONS.includes(action as Action)) throw new UsageError(action ? `unknown action "${action}" (list, start, stop or restart)` : 'name an action: list, start, stop or restart');
  if (!applianceRef) throw new UsageError('name the appliance (its name or id)');
  if (action === 'list' && service) throw new UsageError('list takes the appliance only');
  if (action !== 'list' && !service) throw new UsageError(`name the service to ${action} (see: appliance-console service list ${applianceRef})`);
  if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}"`);

  const services = open(values['data-dir']);
  try {
    const call = caller(services);
    const appliance = findAppliance(await listAppliances(call), applianceRef);
    if (action === 'list') {
      const r = (await call('service.list', { applianceId: appliance.id })) as MethodOutput<'service.list'>;
      if (values.json) {
        io.out(JSON.stringify(r, null, 2));
        return EXIT.ok;
      }
      if (!r.live) io.err(`warning: the agent on ${appliance.name} was not reached (${reasonLine(r)}); this is what it reported ${r.asOf ? `at ${r.asOf}` : 'last'}`);
      io.out(r.services.length ? servicesTable(r.services) : `${appliance.name}: the agent runs no services.`);
      return EXIT.ok;
    }
    const r = (await call(`service.${action as Action}`, { applianceId: appliance.id, service })) as MethodOutput<'service.start'>;
    if (values.json) io.out(JSON.stringify(r, null, 2));
    else io.out(`${appliance.name}: ${service} ${r.outcome === 'unchanged' ? `unchanged (already ${r.service.state})` : r.outcome}; now ${r.service.state}${r.service.pid ? ` (pid ${r.service.pid})` : ''}.`);
    return EXIT.ok;
  } finally {
    await services.close();
  }
}

function reasonLine(r: MethodOutput<'service.list'>): string {
  const detail = r.reasonParams.detail ?? r.reasonParams.message;
  return detail ? `${r.reasonCode}: ${detail}` : (r.reasonCode ?? 'unknown reason');
}
