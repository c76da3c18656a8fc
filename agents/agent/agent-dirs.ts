import fs from 'node:fs';
import type { AgentPaths } from './load-config';

/**
 * The agent's directories, created before anything else in every mode (the watchdog's pid file and
 * the daemon's console log need them too). Run and state directories are the agent's alone (0700,
 * enforced even if they existed: the control socket lives in the run directory); logs are 0750 so
 * an admin group can be given read access.
 */
export function ensureAgentDirs(paths: AgentPaths): void {
  // Everything the agent creates (socket, pid files, registry, logs) is private unless made otherwise.
  process.umask(0o077);
  for (const dir of [paths.runDir, paths.stateDir]) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    fs.chmodSync(dir, 0o700);
  }
  fs.mkdirSync(paths.logDir, { recursive: true, mode: 0o750 });
}
