import crypto from 'node:crypto';
import path from 'node:path';
import { PREFIX_PATTERN } from '../../appliance/testbed/paths';

/**
 * The testbed prefix of one test file: this run's tag followed by the file's short name
 * (`fw`, `prv`, …), so that two checkouts testing on one host never build, fault or tear down
 * each other's machines, while a re-run in the same checkout finds and removes its own leftovers.
 *
 * The tag is $TESTBED_PREFIX when set (a CI job or a person picks it), else two characters derived
 * from this checkout's path. Testbed prefixes are at most 8 characters (interface names are
 * limited to 15), so the tag plus the name must fit; a tag that is too long is refused with why.
 */
export function testbedPrefix(name: string): string {
  const tag = process.env.TESTBED_PREFIX ?? checkoutTag();
  const prefix = `${tag}${name}`;
  if (!PREFIX_PATTERN.test(prefix)) {
    throw new Error(`testbed prefix "${prefix}" (TESTBED_PREFIX "${tag}" + "${name}") is not a valid prefix: 1-8 lower-case letters or digits starting with a letter; use a TESTBED_PREFIX of at most ${8 - name.length} characters`);
  }
  return prefix;
}

/** Two characters from the repository's absolute path: a letter, then a letter or digit. */
function checkoutTag(): string {
  const root = path.resolve(__dirname, '../..');
  const digest = crypto.createHash('sha256').update(root).digest();
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  const alnum = `${letters}0123456789`;
  return letters[digest[0]! % letters.length]! + alnum[digest[1]! % alnum.length]!;
}
