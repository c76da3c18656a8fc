import path from 'node:path';
import { ensureAgentDirs } from './agent-dirs';
import { runBridge } from './bridge';
import { readBuildInfo } from './build-info';
import { parseCli, USAGE, type AgentCli } from './cli-args';
import { runDaemon, WATCHDOG_SCRIPT } from './daemon/daemonize';
import { ConfigError, EXIT_CONFIG, EXIT_FAILURE, EXIT_OK } from './exit-codes';
import { loadConfig, readToken } from './load-config';
import { runAgent } from './run-agent';
import { createServiceRegistry, type ServiceRegistry } from '../services/registry';
import type { ServiceModule } from '../services/service-module';

/**
 * The agent's command line: parse it, validate config and token (exit 2 with a clear message on
 * any problem, before anything is started), then run the mode asked for. main.ts runs it with the
 * production service modules; a test runs it with its own (the registry's injection point).
 */
export async function runAgentCommand(argv: string[], serviceModules: readonly ServiceModule[]): Promise<number> {
  const build = readBuildInfo();
  const print = (line: string) => process.stdout.write(`${line}\n`);
  const stderr = (line: string) => process.stderr.write(`${line}\n`);
  let cli: AgentCli;
  try {
    cli = parseCli(argv, process.env);
  } catch (err) {
    stderr(`appliance-agent: ${(err as Error).message}`);
    return EXIT_CONFIG;
  }
  if (cli.mode === 'help') {
    print(USAGE);
    return EXIT_OK;
  }
  if (cli.mode === 'version') {
    print(`appliance-agent ${build.version} (${build.target}, node ${process.version})`);
    return EXIT_OK;
  }
  try {
    const loaded = loadConfig(cli);
    // The bridge only needs the socket path: the token travels in the console's requests.
    if (cli.mode === 'bridge') return await runBridge(loaded.paths.socketPath, { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr });
    const token = readToken(loaded.paths.tokenFile);
    switch (cli.mode) {
      case 'check-config':
        print(JSON.stringify({ ok: true, services: loaded.config.services.map((s) => s.name), paths: loaded.paths }, null, 2));
        return EXIT_OK;
      case 'daemon': {
        ensureAgentDirs(loaded.paths);
        const script = path.resolve(process.argv[1] ?? 'agent.js');
        return await runDaemon({
          watchdogScript: path.join(path.dirname(script), WATCHDOG_SCRIPT),
          watchdogPidFile: loaded.paths.watchdogPidFile,
          // The launcher's Node flags (--no-opt) and environment go to the agent the watchdog starts.
          agentCommand: [process.execPath, ...process.execArgv, script, ...cli.pathArgs],
          socketPath: loaded.paths.socketPath,
          consoleLogFile: loaded.paths.consoleLogFile,
          pidFiles: [loaded.paths.watchdogPidFile, loaded.paths.pidFile],
          print,
        });
      }
      case 'run': {
        let registry: ServiceRegistry;
        try {
          registry = createServiceRegistry(serviceModules);
        } catch (err) {
          stderr(`appliance-agent: this build's service modules are inconsistent: ${(err as Error).message}`);
          return EXIT_FAILURE;
        }
        return await runAgent(loaded, token, build, stderr, registry);
      }
    }
  } catch (err) {
    if (err instanceof ConfigError) {
      stderr(`appliance-agent: ${err.message}`);
      return EXIT_CONFIG;
    }
    stderr(`appliance-agent: ${(err as Error).stack ?? String(err)}`);
    return EXIT_FAILURE;
  }
}
