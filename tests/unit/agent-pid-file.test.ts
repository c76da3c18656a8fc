/**
 * The single-instance lock under contention: two processes that run the agent's real
 * `acquirePidFile` start each round at the same instant (they busy-wait for a shared time), on a pid
 * file left by a dead agent — the takeover case where the old remove-and-recreate code let both win.
 * Exactly one must win every round. Both contenders stay alive for all rounds, so a lock won in an
 * early round is still held when the file is checked. Plus the plain cases in this process.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { acquirePidFile, AlreadyRunningError } from '../../agents/agent/daemon/pid-file';
import { makeTempDir } from '../helpers/temp-dir';

const ROUNDS = 60;
const ROUND_MS = 25;
const PID_FILE_MODULE = path.resolve(__dirname, '../../agents/agent/daemon/pid-file.ts');

/** A pid that no process has right now (a child that already exited). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

// The contender: waits for "go <epoch ms>" on stdin, then one acquisition per round at go + r*ROUND_MS.
const DRIVER = `
import { acquirePidFile } from ${JSON.stringify(PID_FILE_MODULE)};
import readline from 'node:readline';
const [dir, rounds, roundMs] = process.argv.slice(2);
const held = [];
process.stdout.write('ready\\n');
readline.createInterface({ input: process.stdin }).once('line', (line) => {
  const go = Number(line.split(' ')[1]);
  const out = [];
  for (let r = 0; r < Number(rounds); r++) {
    while (Date.now() < go + r * Number(roundMs)) { /* spin: both start within microseconds */ }
    try { held.push(acquirePidFile(dir + '/' + r + '/agent.pid')); out.push(r + ' won'); }
    catch (err) { out.push(r + (err.name === 'AlreadyRunningError' ? ' lost' : ' error ' + err.message)); }
  }
  process.stdout.write(out.join('\\n') + '\\ndone\\n');
});
`;

describe('agent pid file lock', () => {
  const tmp = makeTempDir('agent-pid');
  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
  });
  afterAll(() => tmp.cleanup());

  it('lets exactly one of two simultaneous starters win, round after round, over a stale pid file', async () => {
    const dir = path.join(tmp.dir, 'race');
    const stale = deadPid();
    for (let r = 0; r < ROUNDS; r++) {
      fs.mkdirSync(path.join(dir, String(r)), { recursive: true });
      fs.writeFileSync(path.join(dir, String(r), 'agent.pid'), `${stale}\n`);
    }
    // "agent" in the script's path: the pid file's liveness check looks for it in the command line.
    const driver = path.join(tmp.dir, 'agent-lock-driver.mts');
    fs.writeFileSync(driver, DRIVER);
    const outputs = [0, 1].map(() => {
      const child = spawn(process.execPath, ['--import', 'tsx', driver, dir, String(ROUNDS), String(ROUND_MS)], { stdio: ['pipe', 'pipe', 'inherit'], cwd: path.resolve(__dirname, '../..') });
      children.push(child);
      let out = '';
      child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
      return { child, text: () => out };
    });
    const until = (pred: () => boolean) =>
      new Promise<void>((resolve, reject) => {
        const deadline = Date.now() + 15_000;
        const tick = () => (pred() ? resolve() : Date.now() > deadline ? reject(new Error(`timed out: ${outputs.map((o) => o.text()).join(' | ')}`)) : setTimeout(tick, 10));
        tick();
      });
    await until(() => outputs.every((o) => o.text().includes('ready')));
    const go = Date.now() + 200;
    for (const o of outputs) o.child.stdin!.write(`go ${go}\n`);
    await until(() => outputs.every((o) => o.text().includes('done')));

    const results = outputs.map((o) => new Map(o.text().split('\n').filter((l) => /^\d+ /.test(l)).map((l) => [Number(l.split(' ')[0]), l.slice(l.indexOf(' ') + 1)])));
    const winners = Array.from({ length: ROUNDS }, (_, r) => results.filter((m) => m.get(r) === 'won').length);
    const errors = results.flatMap((m) => [...m.values()].filter((v) => v.startsWith('error')));
    expect(errors).toEqual([]);
    expect(winners).toEqual(Array.from({ length: ROUNDS }, () => 1));
    // The winner's pid is in each file, whole.
    const pids = new Set(outputs.map((o) => String(o.child.pid)));
    for (let r = 0; r < ROUNDS; r++) expect(pids.has(fs.readFileSync(path.join(dir, String(r), 'agent.pid'), 'utf8').trim())).toBe(true);
  }, 20_000);

  it('refuses a second lock while the first is held, and allows one after release', () => {
    const file = path.join(tmp.dir, 'single', 'agent.pid');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const first = acquirePidFile(file);
    expect(fs.readFileSync(file, 'utf8')).toBe(`${process.pid}\n`);
    // flock is per open file description, so even this same process is refused a second one.
    expect(() => acquirePidFile(file)).toThrow(AlreadyRunningError);
    first.release();
    expect(fs.existsSync(file)).toBe(false);
    const second = acquirePidFile(file);
    second.release();
  });

  it('takes over a pid file left by a dead agent', () => {
    const file = path.join(tmp.dir, 'stale', 'agent.pid');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, `${deadPid()}\n`);
    const lock = acquirePidFile(file);
    expect(fs.readFileSync(file, 'utf8')).toBe(`${process.pid}\n`);
    lock.release();
  });
});
