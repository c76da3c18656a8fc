import { parseArgs } from 'node:util';
import type { ConsoleServices } from '../compose';
import { UsageError, type CliIo } from './cli-io';
import { EXIT, EXIT_CODES_HELP } from './exit-codes';
import { parseConcurrency, runOnAppliances } from './provision-command';

export const UPGRADE_HELP = `Usage: appliance-console upgrade <name|id>… | --all [options]

Upgrade the agent on appliances that run it, to the version this console carries: the new version
is installed beside the old one, the agent is switched over and restarted, and if it does not
answer health checks in time the old version is switched back and restarted. The run then fails
with a message naming the rollback. An appliance without the agent is refused (provision it).
Up-to-date appliances are left unchanged.

Options:
  --all                  every registered appliance
  --concurrency N        appliances upgraded at once (default 4)
  --json                 print the run results as JSON
  --data-dir DIR         console data directory
  -h, --help             this help

Ctrl-C cancels the runs in progress; the next run finishes or rolls back what they left.

${EXIT_CODES_HELP}`;

export async function runUpgradeCommand(argv: string[], io: CliIo, open: (dataDir?: string) => ConsoleServices, onInterrupt: (cancel: () => void) => void): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: { all: { type: 'boolean' }, concurrency: { type: 'string' }, json: { type: 'boolean' }, 'data-dir': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    io.out(UPGRADE_HELP);
    return EXIT.ok;
  }
  const concurrency = parseConcurrency(values.concurrency);
  if (!values.all && positionals.length === 0) throw new UsageError('name the appliances to upgrade, or use --all');
  if (values.all && positionals.length > 0) throw new UsageError('name appliances or use --all, not both');
  return runOnAppliances({ io, open, onInterrupt, dataDir: values['data-dir'], refs: values.all ? 'all' : positionals, concurrency, json: values.json === true, call: (id) => ['provision.upgrade', { id }] });
}
