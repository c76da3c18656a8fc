import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../main/cli/run-cli';
import type { Confirm } from '../../main/cli/uninstall-command';
import { CTX, makeConsole } from '../helpers/console-fixture';

/** `uninstall`'s confirmation, in-process with a scripted terminal (the no-terminal case is in provision-upgrade.test.ts). */
const c = makeConsole('uninstall-cli');
afterAll(() => c.cleanup());

async function cli(argv: string[], confirm: Confirm) {
  let out = '';
  let err = '';
  const code = await runCli(argv, {
    io: { out: (t) => (out += t + '\n'), err: (t) => (err += t + '\n'), readStdin: async () => '', env: { APPLIANCE_CONSOLE_LOG_LEVEL: 'error' } },
    defaultUiDir: '/nonexistent',
    appRoot: path.resolve(__dirname, '../..'),
    untilStopped: async () => {},
    confirm,
  });
  return { code, out, err };
}

describe('appliance-console uninstall', () => {
  it('asks on a terminal, naming the appliances and what --purge adds; "no" does nothing', async () => {
    const added = await c.dispatcher.call('fleet.add', { name: 'edge-9', address: '10.9.9.9' }, CTX);
    expect(added.ok).toBe(true);
    const questions: string[] = [];
    const no = await cli(['uninstall', 'edge-9', '--purge', '--data-dir', c.dataDir], (q) => (questions.push(q), Promise.resolve(false)));
    expect(no).toMatchObject({ code: 1, err: 'nothing done\n' });
    expect(questions).toEqual(['Remove the agent and its data, logs and settings from edge-9?']);
    const audit = await c.dispatcher.call('audit.list', { limit: 50 }, CTX);
    expect((audit as { ok: true; result: { entries: { method: string }[] } }).result.entries.some((e) => e.method === 'provision.uninstall')).toBe(false);
  });

  it('"yes" goes on to the run (refused here: the host key was never trusted), and --yes does not ask', async () => {
    const yes = await cli(['uninstall', 'edge-9', '--data-dir', c.dataDir], () => Promise.resolve(true));
    expect(yes.code).toBe(7);
    expect(yes.out).toMatch(/edge-9: refused — Trust edge-9's SSH host key first/);
    let asked = false;
    const noAsk = await cli(['uninstall', 'edge-9', '--yes', '--data-dir', c.dataDir], () => ((asked = true), Promise.resolve(true)));
    expect(noAsk.code).toBe(7);
    expect(asked).toBe(false);
  });
});
