import type { ApiError, ApiErrorCode } from '../contract/errors';
import type { CliIo } from './cli-io';

/** Exit codes of `appliance-console`, stable for scripts (listed in `--help`). */
export const EXIT = {
  ok: 0,
  failure: 1, // the console failed (internal error, I/O)
  usage: 2, // unknown command or flag, or invalid input
  notFound: 3, // the named appliance does not exist
  conflict: 4, // duplicate name or endpoint, or the appliance cannot do it now (agent unreachable or too old)
  storeRefused: 5, // the data directory belongs to a newer console or another program
  connectionFailed: 6, // `fleet test`: the login did not get all the way through
  provisionFailed: 7, // `provision`, `upgrade`, `uninstall`: at least one appliance's run did not succeed
  diagnoseWarning: 8, // `diagnose`: the worst finding is a warning
  diagnoseCritical: 9, // `diagnose`: a critical finding (or an appliance unreachable)
} as const;

export function exitCodeFor(code: ApiErrorCode): number {
  switch (code) {
    case 'invalid-input':
    case 'unknown-method':
      return EXIT.usage;
    case 'not-found':
      return EXIT.notFound;
    case 'conflict':
      return EXIT.conflict;
    case 'store-refused':
      return EXIT.storeRefused;
    default:
      return EXIT.failure;
  }
}

export const EXIT_CODES_HELP = `Exit codes:
  0  success
  1  the console failed (see the message)
  2  usage error or invalid input
  3  not found
  4  conflict (name or address already registered, or the appliance cannot do it now: agent unreachable or too old)
  5  data directory refused (written by a newer console, not a console database, or owned by another user)
  6  connection test failed (see the stage and reason printed)
  7  provisioning, upgrade or uninstall failed on at least one appliance
  8  diagnose: the worst finding is a warning
  9  diagnose: a critical finding, or an appliance unreachable`;

/** Prints an API error and the fields it names, the same way in every command; returns the exit code. */
export function reportApiError(io: Pick<CliIo, 'err'>, err: ApiError): number {
  io.err(`error: ${err.message}`);
  for (const issue of err.issues ?? []) io.err(`  ${issue.path || '(input)'}: ${issue.message}`);
  return exitCodeFor(err.code);
}
