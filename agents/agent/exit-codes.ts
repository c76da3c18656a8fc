/**
 * The agent's exit codes; the watchdog and the provisioner branch on them. Codes 2 and 3 are
 * permanent (restarting cannot help), anything else after a crash is worth a restart.
 */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_CONFIG = 2;
export const EXIT_ALREADY_RUNNING = 3;

export function isPermanentExit(code: number | null): boolean {
  return code === EXIT_CONFIG || code === EXIT_ALREADY_RUNNING;
}

/** A problem with the command line, the config file or the token file: exit 2 with this message. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}
