import { createCipheriv, createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { openStore } from '../../agents/services/kodo/store';
import { readObjectOrNull, runUntilKilled } from '../helpers/kodo-store-kit';

/**
 * Kodo's crash safety: a child process does puts, overwrites and deletes (8 at a time, inline and
 * striped sizes) on a 4+2 store and is SIGKILLed, twelve times: four at a random instant, eight
 * with the store frozen after a random number of its per-disk meta.json replacements (the store's fault
 * hook, `faults`), which leaves disks exactly between two of their renames: the window a random
 * instant rarely hits. Each operation is
 * journaled before it starts and after it returns. Then every key must read back as exactly one of
 * the versions it may hold — the last one acknowledged, or one started after it (absent for a
 * delete, or when nothing was ever acknowledged) — byte for byte, and the listing must list exactly
 * the keys that read, with their sizes and ETags.
 */

const REPO_ROOT = path.resolve(__dirname, '../..');
const ROOT = fs.mkdtempSync(path.join(os.tmpdir(), 'kodo-store-crash-'));
afterAll(() => fs.rmSync(ROOT, { recursive: true, force: true }));

const KILLS = 12;
const SIZES = [0, 100, 128 * 1024 + 1, 300_000, 1_500_000, 3_000_000];

/** The bytes of version `seq`: AES-CTR keystream keyed by seq, so parent and child agree without sharing them. */
function content(seq: number, size: number): Buffer {
  const key = createHash('sha256').update(`seq-${seq}`).digest().subarray(0, 16);
  return createCipheriv('aes-128-ctr', key, Buffer.alloc(16)).update(Buffer.alloc(size));
}

// The child: the same content() as above, written out for `node -e`.
const CHILD = `
const { createCipheriv, createHash } = require('node:crypto');
const fs = require('node:fs');
const { disks, journal, firstSeq, sizes, killAtStep } = JSON.parse(process.env.KODO_CRASH);
let steps = 0;
const faults = {
  // Counts the replacements of meta.json (the steps that change which version a disk shows), and
  // freezes every step after the chosen one.
  beforeStep(step) {
    if (killAtStep === 0 || steps < killAtStep) {
      if (step === 'meta-rename') steps++;
      return;
    }
    if (steps++ === killAtStep) setTimeout(() => process.kill(process.pid, 'SIGKILL'), 30);
    return new Promise(() => {}); // frozen: no disk takes another step
  },
};
function content(seq, size) {
  const key = createHash('sha256').update('seq-' + seq).digest().subarray(0, 16);
  return createCipheriv('aes-128-ctr', key, Buffer.alloc(16)).update(Buffer.alloc(size));
}
(async () => {
  const mod = await import(${JSON.stringify(path.join(REPO_ROOT, 'agents/services/kodo/store/index.ts'))});
  const { openStore } = mod.openStore ? mod : mod.default;
  const store = await openStore({ disks, faults });
  let seq = firstSeq;
  process.stdout.write('ready\\n');
  await Promise.all(Array.from({ length: 8 }, async (_, worker) => {
    for (;;) {
      const key = 'w' + worker + '/key-' + Math.floor(Math.random() * 3);
      const mine = seq++;
      if (Math.random() < 0.12) {
        fs.appendFileSync(journal, 'start ' + key + ' ' + mine + ' delete\\n');
        await store.deleteObject('bkt', key);
      } else {
        const size = sizes[Math.floor(Math.random() * sizes.length)];
        fs.appendFileSync(journal, 'start ' + key + ' ' + mine + ' ' + size + '\\n');
        await store.putObject('bkt', key, content(mine, size));
      }
      fs.appendFileSync(journal, 'done ' + key + ' ' + mine + '\\n');
    }
  }));
})().catch((error) => { console.error(error); process.exit(1); });
`;

type Op = { seq: number; size: number | 'delete' };

/** Opens the store as a restart would and checks every journaled key and the listing; returns what it saw. */
async function verify(disks: string[], journal: string): Promise<{ keys: number; present: number; operations: number }> {
  // What each key may hold: the last acknowledged version, or any started after it.
  const history = new Map<string, { done: Op | null | 'never'; after: Op[] }>();
  const started = new Map<number, Op>();
  for (const line of fs.readFileSync(journal, 'utf8').trim().split('\n')) {
    const [verb, key, seqText, sizeText] = line.split(' ') as [string, string, string, string | undefined];
    const seq = Number(seqText);
    const entry = history.get(key) ?? { done: 'never', after: [] };
    history.set(key, entry);
    if (verb === 'start') {
      const op: Op = { seq, size: sizeText === 'delete' ? 'delete' : Number(sizeText) };
      started.set(seq, op);
      entry.after.push(op);
    } else {
      entry.done = started.get(seq)!;
      entry.after = [];
    }
  }

  const store = await openStore({ disks });
  // The crashed writes' temp files are swept when the store opens.
  for (const disk of disks) expect(fs.readdirSync(path.join(disk, '.kodo', 'tmp'))).toEqual([]);
  const readable = new Map<string, { size: number; etag: string }>();
  for (const [key, { done, after }] of history) {
    const bytes = await readObjectOrNull(store, 'bkt', key);
    const allowed = [...(done === 'never' ? [null] : [done]), ...after];
    const matches = allowed.filter((op) => {
      if (op === null || op.size === 'delete') return bytes === null;
      return bytes !== null && bytes.length === op.size && bytes.equals(content(op.seq, op.size));
    });
    expect(matches.length, `${key}: read ${bytes === null ? 'absent' : `${bytes.length} bytes`}, allowed ${JSON.stringify(allowed)}`).toBeGreaterThan(0);
    if (bytes !== null) readable.set(key, { size: bytes.length, etag: createHash('md5').update(bytes).digest('hex') });
  }

  const listed = new Map<string, { size: number; etag: string }>();
  let token: string | undefined;
  do {
    const page = await store.listObjects('bkt', { maxKeys: 7, ...(token ? { continuationToken: token } : {}) });
    for (const o of page.objects) listed.set(o.key, { size: o.size, etag: o.etag });
    token = page.nextContinuationToken;
  } while (token);
  expect(listed).toEqual(readable);
  return { keys: history.size, present: readable.size, operations: started.size };
}

it('leaves every key absent, old or new and complete after SIGKILLs at random instants', async () => {
  const disks = Array.from({ length: 6 }, (_, i) => path.join(ROOT, `disk${i}`));
  for (const disk of disks) fs.mkdirSync(disk);
  const setup = await openStore({ disks, layout: { k: 4, m: 2 } });
  await setup.createBucket('bkt');
  const journal = path.join(ROOT, 'journal');
  fs.writeFileSync(journal, '');

  let inFlightAtKill = 0;
  let seen = { keys: 0, present: 0, operations: 0 };
  for (let run = 0; run < KILLS; run++) {
    const atStep = run % 3 !== 0;
    const killAfterMs = atStep ? 20_000 : 200 + Math.floor(Math.random() * 500);
    await runUntilKilled(CHILD, { disks, journal, firstSeq: run * 1_000_000, sizes: SIZES, killAtStep: atStep ? 1 + Math.floor(Math.random() * 60) : 0 }, killAfterMs);
    const open = new Set<string>();
    for (const line of fs.readFileSync(journal, 'utf8').trim().split('\n')) {
      const [verb, , seq] = line.split(' ');
      if (verb === 'start') open.add(seq!);
      else open.delete(seq!);
    }
    inFlightAtKill += [...open].filter((seq) => Number(seq) >= run * 1_000_000).length;
    // After every kill, not only the last: a later run overwrites what an earlier kill tore.
    seen = await verify(disks, journal);
  }
  expect(seen.keys).toBeGreaterThan(10);
  expect(inFlightAtKill, 'kills that landed while operations were running').toBeGreaterThan(KILLS);
  console.log(`kodo-store crash: ${KILLS} kills, ${seen.operations} operations, ${inFlightAtKill} in flight when killed, ${seen.present} of ${seen.keys} keys present`);
});
