import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createCapturingLogger } from '../helpers/capturing-logger';
import { findSecretLeaks, secretNeedles } from '../helpers/secret-leaks';
import { makeTempDir } from '../helpers/temp-dir';

/** The secret search the integration tests rely on finds what it must, and says where without repeating it. */
const tmp = makeTempDir('secret-leaks');
afterAll(() => tmp.cleanup());
const keyFile = path.join(tmp.dir, 'id_test');
execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', keyFile]);
const privateKey = fs.readFileSync(keyFile, 'utf8');
const bodyLines = privateKey.split('\n').filter((l) => l.length >= 16 && !l.startsWith('-----'));

describe('secret search', () => {
  it('finds a password as typed and as a JSON log line escapes it, through the real logger', () => {
    const password = 'pa"ss\\word-42';
    const capture = createCapturingLogger();
    capture.log.debug(`login with ${password}`);
    capture.log.info('fields are redacted', { password });
    const leaks = findSecretLeaks(capture.lines(), { password });
    expect(leaks).toEqual([expect.stringMatching(/^password \(JSON-escaped\) in text 1: …/)]);
    expect(capture.records()[1]).toMatchObject({ password: '[redacted]' });
  });

  it('finds any one line of a private key on its own, and never prints another line of it', () => {
    expect(bodyLines.length).toBeGreaterThan(1);
    expect(secretNeedles({ key: privateKey }).map((n) => n.needle)).toEqual(bodyLines);
    const last = bodyLines.at(-1)!;
    const leaks = findSecretLeaks([`${bodyLines[0]} then ${last}`], { key: privateKey });
    expect(leaks).toHaveLength(2);
    for (const line of bodyLines) expect(leaks.join('\n')).not.toContain(line);
    expect(findSecretLeaks(['-----BEGIN OPENSSH PRIVATE KEY----- is no secret'], { key: privateKey })).toEqual([]);
  });

  it('refuses a secret too short to search for', () => {
    expect(() => secretNeedles({ password: 'wrong' })).toThrow(/too short/);
  });
});
