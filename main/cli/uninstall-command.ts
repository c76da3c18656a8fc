import readline from 'node:readline/promises';
import { parseArgs } from 'node:util';
import type { ConsoleServices } from '../compose';
import { UsageError, type CliIo } from './cli-io';
import { EXIT, EXIT_CODES_HELP } from './exit-codes';
import { parseConcurrency, runOnAppliances } from './provision-command';

export const UNINSTALL_HELP = `Usage: appliance-console uninstall <name|id>… [options]

Stop the agent on appliances and remove it: the systemd unit or watchdog and its boot entry,
/opt/appliance-agent, agent.json and the token in /etc/appliance-agent, and /run/appliance-agent.
The agent's data (/var/lib/appliance-agent), logs (/var/log/appliance-agent) and the settings made
through it (services.json, settings.json in /etc/appliance-agent) are kept unless --purge is given.
Uninstalling an appliance that has no agent changes nothing. The appliance stays registered.

Asks for confirmation on a terminal; elsewhere (scripts, pipes) --yes is required.

Options:
  --purge                also remove the agent's data, logs and settings
  --yes                  do not ask for confirmation
  --concurrency N        appliances handled at once (default 4)
  --json                 print the run results as JSON
  --data-dir DIR         console data directory
  -h, --help             this help

Ctrl-C cancels the runs in progress; running uninstall again finishes the job.

${EXIT_CODES_HELP}`;

/** Asks a yes/no question; null when there is no terminal to ask on. */
export type Confirm = ((question: string) => Promise<boolean>) | null;

/** The process's terminal, when both stdin and stdout are one. */
export function terminalConfirm(): Confirm {
  if (!process.stdin.isTTY || !process.stdout.isTTY) return null;
  return async (question) => {
    const rl = readline.createInterface({ input: process.stdin, output: process.stdout });
    try {
      return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
    } finally {
      rl.close();
    }
  };
}

export async function runUninstallCommand(argv: string[], io: CliIo, open: (dataDir?: string) => ConsoleServices, onInterrupt: (cancel: () => void) => void, confirm: Confirm): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      purge: { type: 'boolean' },
      yes: { type: 'boolean', short: 'y' },
      concurrency: { type: 'string' },
      json: { type: 'boolean' },
      'data-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.out(UNINSTALL_HELP);
    return EXIT.ok;
  }
  const concurrency = parseConcurrency(values.concurrency);
  // No --all on purpose: removing the agent from a whole fleet should take naming each machine.
  if (positionals.length === 0) throw new UsageError('name the appliances to uninstall the agent from');
  // Refused before anything is opened or looked up: a script must say --yes, not hang on a prompt.
  if (!values.yes && !confirm) throw new UsageError('uninstall removes the agent; there is no terminal to confirm on, so pass --yes');
  const purge = values.purge === true;
  const ask = values.yes || !confirm ? undefined : (names: string[]) => confirm(`Remove the agent${purge ? ' and its data, logs and settings' : ''} from ${names.join(', ')}?`);
  return runOnAppliances({ io, open, onInterrupt, dataDir: values['data-dir'], refs: positionals, concurrency, json: values.json === true, confirm: ask, call: (id) => ['provision.uninstall', { id, purge }] });
}
