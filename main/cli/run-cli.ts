import { ApiError } from '../contract/errors';
import type { ConsoleServices } from '../compose';
import { createLogger, type LogLevel } from '../core/log';
import { CONSOLE_VERSION } from '../core/version';
import { UsageError, type CliIo } from './cli-io';
import { EXIT, EXIT_CODES_HELP, reportApiError } from './exit-codes';
import { runAgentSettingsCommand } from './agent-settings-command';
import { runAlertsCommand } from './alerts-command';
import { runDiskHealthCommand } from './disk-health-command';
import { runDiagnoseCommand } from './diagnose-command';
import { runBundleCommand } from './bundle-command';
import { runReportCommand } from './report-command';
import { runFleetCommand } from './fleet-command';
import { runProvisionCommand } from './provision-command';
import { terminalConfirm, runUninstallCommand, type Confirm } from './uninstall-command';
import { runUpgradeCommand } from './upgrade-command';
import { openNodeConsole } from './open-console';
import { runServeCommand } from './serve-command';
import { runServiceCommand } from './service-command';
import { runKodoCommand } from './kodo-command';

export const MAIN_HELP = `Usage: appliance-console <command> [options]

Operations console for private-cloud storage appliances and 5G smart boxes.

Commands:
  serve        run the console headless (UI and API in a browser)
  fleet        list, add, import, show, test, trust and remove appliances
  provision    install or repair the agent on appliances over SSH
  upgrade      upgrade the agent, rolling back automatically if the new one is unhealthy
  uninstall    stop and remove the agent (--purge: its data, logs and settings too)
  service      list an appliance's services; start, stop or restart one
  agent-settings  show or set the agent's own settings (Prometheus /metrics), with any drift
  kodo         an appliance's object store: status, init, access keys, buckets, healing
  alerts       list active alerts (--all: with the history)
  diagnose     read-only checks over SSH with findings, evidence and remedies (no agent needed)
  bundle       a support bundle (redacted logs, configs, SMART, history) for an appliance; verify one
  report       alerts, audit or disk-health for a time range as CSV or XLSX
  disk-health  verdict and reasons from a recorded smartctl --json output
  version      print the version

Run 'appliance-console <command> --help' for a command's options.

${EXIT_CODES_HELP}`;

export interface CliDeps {
  io: CliIo;
  defaultUiDir: string;
  /** The application's root: resources/agents, resources/runtimes and appliance/install live under it. */
  appRoot: string;
  untilStopped: () => Promise<void>;
  /** Registers what Ctrl-C does while a long command runs (the CLI entry wires SIGINT to it). */
  onInterrupt?: (handler: () => void) => void;
  /** Yes/no questions (uninstall); null: no terminal. Default: the process's terminal, if any. */
  confirm?: Confirm;
}

/** The CLI, as a function of its arguments and I/O, so tests run it in-process. */
export async function runCli(argv: string[], deps: CliDeps): Promise<number> {
  const { io } = deps;
  const [command, ...rest] = argv;
  const level = (io.env.APPLIANCE_CONSOLE_LOG_LEVEL as LogLevel | undefined) ?? (command === 'serve' ? 'info' : 'warn');
  const log = createLogger({ level, write: (line) => io.err(line) });
  const open = (host: 'serve' | 'cli') => (dataDir?: string): ConsoleServices => openNodeConsole({ dataDir, host, log, env: io.env, appRoot: deps.appRoot });
  try {
    switch (command) {
      case undefined:
      case '-h':
      case '--help':
      case 'help':
        io.out(MAIN_HELP);
        return command ? EXIT.ok : EXIT.usage;
      case 'version':
      case '--version':
        io.out(CONSOLE_VERSION);
        return EXIT.ok;
      case 'serve':
        return await runServeCommand(rest, io, { open: open('serve'), defaultUiDir: deps.defaultUiDir, log, untilStopped: deps.untilStopped });
      case 'fleet':
        return await runFleetCommand(rest, io, open('cli'));
      case 'provision':
        return await runProvisionCommand(rest, io, open('cli'), (cancel) => deps.onInterrupt?.(cancel), deps.confirm !== undefined ? deps.confirm : terminalConfirm());
      case 'upgrade':
        return await runUpgradeCommand(rest, io, open('cli'), (cancel) => deps.onInterrupt?.(cancel));
      case 'uninstall':
        return await runUninstallCommand(rest, io, open('cli'), (cancel) => deps.onInterrupt?.(cancel), deps.confirm !== undefined ? deps.confirm : terminalConfirm());
      case 'service':
        return await runServiceCommand(rest, io, open('cli'));
      case 'agent-settings':
        return await runAgentSettingsCommand(rest, io, open('cli'));
      case 'kodo':
        return await runKodoCommand(rest, io, open('cli'));
      case 'alerts':
        return await runAlertsCommand(rest, io, open('cli'));
      case 'report':
        return await runReportCommand(rest, io, open('cli'));
      case 'bundle':
        return await runBundleCommand(rest, io, open('cli'), (cancel) => deps.onInterrupt?.(cancel));
      case 'diagnose':
        return await runDiagnoseCommand(rest, io, open('cli'), (cancel) => deps.onInterrupt?.(cancel));
      case 'disk-health':
        return await runDiskHealthCommand(rest, io);
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (err) {
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`error: ${(err as Error).message}`);
      io.err(`Run 'appliance-console ${command && command !== 'help' ? command + ' ' : ''}--help' for usage.`);
      return EXIT.usage;
    }
    if (err instanceof ApiError) return reportApiError(io, err);
    io.err(`error: ${(err as Error).message ?? String(err)}`);
    return EXIT.failure;
  }
}
