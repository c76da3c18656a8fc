import fs from 'node:fs';
import path from 'node:path';
import { AgentConfigSchema, type AgentConfig } from '../protocol/agent-config';
import type { AgentCli } from './cli-args';
import { ConfigError } from './exit-codes';

/** Every file and directory the agent uses, resolved once from config, flags and environment. */
export interface AgentPaths {
  config: string;
  runDir: string;
  stateDir: string;
  logDir: string;
  socketPath: string;
  tokenFile: string;
  pidFile: string;
  watchdogPidFile: string;
  childrenFile: string;
  /** The service modules' config (services.json beside agent.json unless `servicesFile`), written by the agent. */
  servicesFile: string;
  /** The settings a console changed (settings.json beside agent.json unless `settingsFile`), written by the agent. */
  settingsFile: string;
  logFile: string;
  /** stdout/stderr of the watchdog and agent in --daemon mode (startup failures, crash traces). */
  consoleLogFile: string;
}

export interface LoadedConfig {
  config: AgentConfig;
  paths: AgentPaths;
}

export function loadConfig(cli: AgentCli): LoadedConfig {
  let text: string;
  try {
    text = fs.readFileSync(cli.configPath, 'utf8');
  } catch (err) {
    throw new ConfigError(`Cannot read the config file ${cli.configPath}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`The config file ${cli.configPath} is not valid JSON: ${(err as Error).message}`);
  }
  const parsed = AgentConfigSchema.safeParse(json);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.length ? i.path.join('.') : '(top level)'}: ${i.message}`);
    throw new ConfigError(`The config file ${cli.configPath} is invalid:\n${lines.join('\n')}`);
  }
  const config = parsed.data;
  const o = cli.overrides;
  const runDir = o.runDir ?? config.paths.runDir;
  const logDir = o.logDir ?? config.paths.logDir;
  const socketPath = o.socketPath ?? config.control.socketPath ?? path.join(runDir, 'control.sock');
  if (Buffer.byteLength(socketPath) > 107) throw new ConfigError(`The control socket path ${socketPath} is longer than the 107 bytes Linux allows`);
  return {
    config,
    paths: {
      config: cli.configPath,
      runDir,
      stateDir: o.stateDir ?? config.paths.stateDir,
      logDir,
      socketPath,
      tokenFile: o.tokenFile ?? config.control.tokenFile ?? path.join(path.dirname(cli.configPath), 'token'),
      pidFile: path.join(runDir, 'agent.pid'),
      watchdogPidFile: path.join(runDir, 'watchdog.pid'),
      childrenFile: path.join(runDir, 'children.json'),
      servicesFile: config.servicesFile ?? path.join(path.dirname(cli.configPath), 'services.json'),
      settingsFile: config.settingsFile ?? path.join(path.dirname(cli.configPath), 'settings.json'),
      logFile: path.join(logDir, 'agent.log'),
      consoleLogFile: path.join(logDir, 'agent-console.log'),
    },
  };
}

/**
 * The bearer token: one line of at least 32 printable characters in a file only its owner can read
 * (like ssh with private keys, a token readable by others is refused rather than trusted).
 */
export function readToken(file: string): string {
  let stat: fs.Stats;
  let text: string;
  try {
    stat = fs.statSync(file);
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`Cannot read the token file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  if ((stat.mode & 0o077) !== 0) throw new ConfigError(`The token file ${file} has mode ${(stat.mode & 0o777).toString(8)}; it must be readable by its owner only (chmod 600)`);
  const token = text.trim();
  if (!/^[\x21-\x7e]{32,1024}$/.test(token)) throw new ConfigError(`The token file ${file} must hold one token of 32 to 1024 printable characters`);
  return token;
}
