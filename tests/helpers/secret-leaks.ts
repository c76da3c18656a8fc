import { expect } from 'vitest';
import type { Db } from '../../main/store/database';
import { createKeyFileSecretBox } from '../../main/secrets/key-file-secret-box';

/** Secrets a test gave the console (or the console made), by what they are: `{ 'sudo password': … }`. */
export type Secrets = Record<string, string | null | undefined>;

/** Shorter key lines could turn up in unrelated text by chance; every body line of a real key is 64–70 characters. */
const MIN_KEY_LINE = 16;
const ARMOUR = /^-----(BEGIN|END) [A-Z0-9 ]+-----$/;

/**
 * What must never be seen of each secret: the value itself, as typed and as JSON writes it (a
 * password with a quote or a backslash is escaped in a log line), and for a multi-line secret — a
 * private key — every line of its body on its own, since a log that cut the key into lines, or
 * printed one line of it, has leaked it too. The armour lines (`-----BEGIN … PRIVATE KEY-----`) are
 * the same in every key and are not secret.
 */
export function secretNeedles(secrets: Secrets): { what: string; needle: string }[] {
  const needles: { what: string; needle: string }[] = [];
  for (const [what, value] of Object.entries(secrets)) {
    if (!value) continue;
    if (value.length < 6) throw new Error(`the ${what} "${value}" is too short to search for without false alarms; use a longer one in the test`);
    const lines = value.split('\n').map((l) => l.trim()).filter((l) => l.length >= MIN_KEY_LINE && !ARMOUR.test(l));
    if (lines.length > 1) lines.forEach((line, i) => needles.push({ what: `${what} (line ${i + 1})`, needle: line }));
    else {
      needles.push({ what, needle: value });
      const escaped = JSON.stringify(value).slice(1, -1);
      if (escaped !== value) needles.push({ what: `${what} (JSON-escaped)`, needle: escaped });
    }
  }
  return needles;
}

/**
 * Each place a secret shows up in `texts` (log lines, event payloads, process output), saying which
 * and where, with a little of the text before it — every secret in that text masked first, so the
 * failure report does not print another line of the key it is reporting.
 */
export function findSecretLeaks(texts: readonly string[], secrets: Secrets): string[] {
  const needles = secretNeedles(secrets);
  const found: string[] = [];
  texts.forEach((text, i) => {
    const hits = needles.filter(({ needle }) => text.includes(needle));
    if (hits.length === 0) return;
    const masked = hits.reduce((t, { needle }) => t.split(needle).join('[SECRET]'), text);
    const at = masked.indexOf('[SECRET]');
    const context = masked.slice(Math.max(0, at - 80), at + 8);
    for (const { what } of hits) found.push(`${what} in text ${i + 1}: …${context}…`);
  });
  return found;
}

/**
 * Fails naming each leak (without printing the secret itself). `where` says what was searched, and
 * the texts must not be empty: a check over nothing proves nothing.
 */
export function expectNoSecretLeaks(where: string, texts: readonly string[], secrets: Secrets): void {
  expect(texts.length, `${where}: nothing was captured, so nothing was checked`).toBeGreaterThan(0);
  expect(Object.values(secrets).filter(Boolean).length, `${where}: no secrets to look for`).toBeGreaterThan(0);
  expect(findSecretLeaks(texts, secrets), `secrets found in ${where}`).toEqual([]);
}

/** The agent token the console made for an appliance, decrypted with the data directory's key file. */
export function storedAgentToken(db: Db, dataDir: string, applianceId: string): string {
  const row = db.prepare<[string], { token: Buffer }>('SELECT token FROM agent_tokens WHERE appliance_id = ?').get(applianceId);
  if (!row) throw new Error(`no agent token stored for ${applianceId}`);
  return createKeyFileSecretBox(dataDir).decrypt(row.token);
}
