import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../main/cli/run-cli';
import { CTX, makeConsole } from '../helpers/console-fixture';

const c = makeConsole('alerts-cli');
afterAll(() => c.cleanup());

async function cli(...argv: string[]) {
  let out = '';
  let err = '';
  const code = await runCli(argv, {
    io: { out: (t) => (out += t + '\n'), err: (t) => (err += t + '\n'), readStdin: async () => '', env: { APPLIANCE_CONSOLE_LOG_LEVEL: 'error' } },
    defaultUiDir: '/nonexistent',
    appRoot: path.resolve(__dirname, '../..'),
    untilStopped: async () => {},
  });
  return { code, out, err };
}

describe('appliance-console alerts', () => {
  it('says so when nothing is wrong', async () => {
    expect(await cli('alerts', '--data-dir', c.dataDir)).toMatchObject({ code: 0, out: 'No active alerts.\n' });
  });

  it('lists active alerts worst first with units, as JSON too, and the history with --all', async () => {
    const add = async (name: string, address: string) => {
      const r = await c.dispatcher.call('fleet.add', { name, address }, CTX);
      if (!r.ok) throw new Error(r.error.message);
      return (r.result as { id: string }).id;
    };
    const [a1, a2] = [await add('edge-1', '10.0.0.1'), await add('edge-2', '10.0.0.2')];
    const base = { at: 0, connectivity: { state: 'online' as const, since: 0, reason: null }, agent: { health: 'ok' as const, services: [] }, disks: [] };
    c.alerts.observe([
      { ...base, applianceId: a1, name: 'edge-1', metrics: { 'cpu.util_percent': 99, 'fs.used_percent{mount=/srv/disks/d1}': 97.25 } },
      { ...base, applianceId: a2, name: 'edge-2', metrics: { 'clock.skew_seconds': 3600 } },
    ]);
    c.clock.advance(61_000);
    c.alerts.observe([{ ...base, applianceId: a2, name: 'edge-2', metrics: { 'clock.skew_seconds': 3600 } }]);
    c.alerts.observe([{ ...base, applianceId: a2, name: 'edge-2', metrics: { 'clock.skew_seconds': 0 } }]);

    const r = await cli('alerts', '--data-dir', c.dataDir);
    expect(r.code).toBe(0);
    const lines = r.out.trim().split('\n');
    expect(lines[0]).toMatch(/^SEVERITY\s+STATE\s+RULE\s+APPLIANCE\s+SUBJECT\s+DETAIL\s+SINCE \(UTC\)$/);
    expect(lines.slice(1).map((l) => l.split(/\s{2,}/).slice(0, 5).join('|'))).toEqual(['critical|pending|filesystem-full|edge-1|/srv/disks/d1', 'warning|pending|cpu-high|edge-1|-']);
    expect(lines[1]).toContain('97.3 % (limit 95 %)');

    const json = JSON.parse((await cli('alerts', '--json', '--data-dir', c.dataDir)).out) as { alerts: { ruleId: string; value: number; unit: string }[] };
    expect(json.alerts.map((a) => `${a.ruleId}:${a.value}:${a.unit}`)).toEqual(['filesystem-full:97.3:percent', 'cpu-high:99:percent']);

    const all = await cli('alerts', '--all', '--data-dir', c.dataDir);
    expect(all.out).toMatch(/warning\s+resolved\s+clock-skew\s+edge-2\s+-\s+3600 s \(limit 30 s\)/);

    const one = await cli('alerts', '--appliance', 'edge-2', '--data-dir', c.dataDir);
    expect(one.out).toBe('No active alerts.\n');
  });

  it('names an unknown appliance and exits 3; a bad flag exits 2', async () => {
    expect(await cli('alerts', '--appliance', 'nope', '--data-dir', c.dataDir)).toMatchObject({ code: 3, err: expect.stringContaining('No appliance named or with id "nope"') });
    expect((await cli('alerts', '--bogus')).code).toBe(2);
  });
});
