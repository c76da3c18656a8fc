/**
 * The testbed's error kinds. The CLI maps each to its own exit code, so scripts (and the
 * maintainer's setup script) can tell "you asked wrongly" from "this host cannot do it" from
 * "the testbed is not in the state you assumed" from a real failure.
 */

/** The caller asked for something malformed: bad flag, bad size, bad prefix. Exit 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** This host cannot run the testbed: not root, missing package, kernel feature absent. Exit 3. */
export class EnvironmentError extends Error {
  override name = 'EnvironmentError';
}

/** The testbed is not in the needed state: already up, not up, unknown machine or disk. Exit 4. */
export class StateError extends Error {
  override name = 'StateError';
}
