/**
 * The built agent, two copies started at the same moment on one run directory, round after round,
 * over a pid file left by a dead agent: exactly one serves, the other exits 3 (already running).
 * The sharper race (microseconds apart, 60 rounds) runs the same lock code in
 * tests/unit/agent-pid-file.test.ts; this one shows the real processes agree.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildBundle, prepareAgentHome, socketAnswers, spawnAgent, waitFor, type AgentBundle, type ExitStatus } from '../helpers/agent-harness';
import { makeTempDir } from '../helpers/temp-dir';

const ROUNDS = 8;
const work = makeTempDir('agent-one');
let bundle: AgentBundle;
const started: ReturnType<typeof spawnAgent>[] = [];

beforeAll(() => {
  bundle = buildBundle(work.dir);
});
afterEach(async () => {
  for (const a of started.splice(0)) {
    if (a.child.exitCode === null && a.child.signalCode === null) a.child.kill('SIGTERM');
    await a.exited;
  }
});
afterAll(() => work.cleanup());

describe('agent single instance', () => {
  it('lets exactly one of two agents started together win, every round', async () => {
    const home = prepareAgentHome(path.join(work.dir, 'home'), { supervisor: { stopTimeoutMs: 1000 } });
    fs.mkdirSync(home.runDir, { recursive: true, mode: 0o700 });
    const dead = Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);
    for (let round = 0; round < ROUNDS; round++) {
      fs.writeFileSync(path.join(home.runDir, 'agent.pid'), `${dead}\n`);
      const pair = [spawnAgent(bundle, home), spawnAgent(bundle, home)];
      started.push(...pair);
      const exits: (ExitStatus | undefined)[] = [undefined, undefined];
      pair.forEach((a, i) => void a.exited.then((e) => (exits[i] = e)));
      // One refuses (exit 3) and the other answers on the socket.
      await waitFor(`round ${round}: one agent refusing`, () => (exits.some((e) => e !== undefined) ? true : undefined), 15_000);
      const loser = exits.findIndex((e) => e !== undefined);
      expect(exits[loser], pair[loser]!.output()).toEqual({ code: 3, signal: null });
      expect(pair[loser]!.output()).toMatch(/already running/);
      const winner = pair[1 - loser]!;
      await waitFor(`round ${round}: the winner answering`, async () => ((await socketAnswers(home.socketPath)) ? true : undefined), 15_000);
      expect(winner.child.exitCode, winner.output()).toBeNull();
      expect(fs.readFileSync(path.join(home.runDir, 'agent.pid'), 'utf8').trim()).toBe(String(winner.child.pid));
      // SIGKILL leaves the pid file behind, as a crash does: the next round starts from a stale one.
      winner.child.kill('SIGKILL');
      await winner.exited;
      started.length = 0;
    }
  });
});
