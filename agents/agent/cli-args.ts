import { parseArgs } from 'node:util';
import { ConfigError } from './exit-codes';

/**
 * The command line. Every path can come from a flag or an environment variable (flag wins), so
 * tests and a provisioner dry run can use a temp dir without root:
 *
 *   --config FILE      APPLIANCE_AGENT_CONFIG      default /etc/appliance-agent/agent.json
 *   --run-dir DIR      APPLIANCE_AGENT_RUN_DIR     (pid file, control socket)
 *   --state-dir DIR    APPLIANCE_AGENT_STATE_DIR
 *   --log-dir DIR      APPLIANCE_AGENT_LOG_DIR
 *   --socket PATH      APPLIANCE_AGENT_SOCKET
 *   --token-file FILE  APPLIANCE_AGENT_TOKEN_FILE
 */
export type AgentMode = 'run' | 'daemon' | 'check-config' | 'bridge' | 'version' | 'help';

export interface PathOverrides {
  runDir?: string;
  stateDir?: string;
  logDir?: string;
  socketPath?: string;
  tokenFile?: string;
}

export interface AgentCli {
  mode: AgentMode;
  configPath: string;
  overrides: PathOverrides;
  /** The path options as given, for the agent that --daemon has its watchdog start. */
  pathArgs: string[];
}

export const DEFAULT_CONFIG_PATH = '/etc/appliance-agent/agent.json';

export const USAGE = `Usage: appliance-agent [--config FILE] [options]
       appliance-agent bridge [--config FILE] [--socket PATH]

Runs the appliance agent: the control API on a Unix socket and the supervised media services.

Modes (default: run in the foreground):
  --daemon          start the agent under a watchdog in the background (appliance-agent-watchdog,
                    a shell script beside this one) that restarts it after a crash; returns once
                    the control socket answers (exit 0) or the agent failed to start. Stop both
                    with: kill $(cat RUN_DIR/watchdog.pid)
  --check-config    validate the config and token file, print the resolved paths, and exit
  bridge            connect stdin/stdout to the control socket (what the console runs over an SSH
                    exec channel, through sudo for a non-root login); prints a ready line to stderr
  --version         print the agent version
  --help            this text

Paths (flag, or environment variable):
  --config FILE      APPLIANCE_AGENT_CONFIG      (default ${DEFAULT_CONFIG_PATH})
  --run-dir DIR      APPLIANCE_AGENT_RUN_DIR     pid files and the control socket
  --state-dir DIR    APPLIANCE_AGENT_STATE_DIR
  --log-dir DIR      APPLIANCE_AGENT_LOG_DIR
  --socket PATH      APPLIANCE_AGENT_SOCKET
  --token-file FILE  APPLIANCE_AGENT_TOKEN_FILE

Exit codes: 0 stopped cleanly, 1 failed, 2 bad command line, config or token file,
3 another agent (or watchdog) is already running with this run directory.`;

const PATH_OPTIONS = {
  'run-dir': { env: 'APPLIANCE_AGENT_RUN_DIR', key: 'runDir' },
  'state-dir': { env: 'APPLIANCE_AGENT_STATE_DIR', key: 'stateDir' },
  'log-dir': { env: 'APPLIANCE_AGENT_LOG_DIR', key: 'logDir' },
  socket: { env: 'APPLIANCE_AGENT_SOCKET', key: 'socketPath' },
  'token-file': { env: 'APPLIANCE_AGENT_TOKEN_FILE', key: 'tokenFile' },
} as const;

export function parseCli(argv: string[], env: NodeJS.ProcessEnv): AgentCli {
  // `bridge` is a subcommand (the console runs `appliance-agent bridge`), the other modes are flags.
  const bridge = argv[0] === 'bridge';
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(bridge ? argv.slice(1) : argv);
  } catch (err) {
    throw new ConfigError(`${(err as Error).message}\n\n${USAGE}`);
  }
  const v = parsed.values;
  const modes = (['daemon', 'check-config', 'version', 'help'] as const).filter((m) => v[m] === true);
  if (modes.length > 1 || (bridge && modes.length > 0)) throw new ConfigError(`choose one of ${[...(bridge ? ['bridge'] : []), ...modes.map((m) => `--${m}`)].join(', ')}`);
  const configPath = v.config ?? env.APPLIANCE_AGENT_CONFIG ?? DEFAULT_CONFIG_PATH;
  const overrides: PathOverrides = {};
  const pathArgs = ['--config', configPath];
  for (const [flag, { env: name, key }] of Object.entries(PATH_OPTIONS)) {
    const value = v[flag as keyof typeof PATH_OPTIONS] ?? env[name];
    if (value === undefined || value === '') continue;
    if (!value.startsWith('/')) throw new ConfigError(`--${flag} must be an absolute path (got "${value}")`);
    overrides[key] = value;
    pathArgs.push(`--${flag}`, value);
  }
  if (!configPath.startsWith('/')) throw new ConfigError(`--config must be an absolute path (got "${configPath}")`);
  return { mode: bridge ? 'bridge' : (modes[0] ?? 'run'), configPath, overrides, pathArgs };
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      config: { type: 'string' },
      'run-dir': { type: 'string' },
      'state-dir': { type: 'string' },
      'log-dir': { type: 'string' },
      socket: { type: 'string' },
      'token-file': { type: 'string' },
      daemon: { type: 'boolean' },
      'check-config': { type: 'boolean' },
      version: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
}
