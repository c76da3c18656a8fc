/**
 * The SMART collector judges each reading against the previous reading of the same drive, for
 * trends. A drive swapped into the slot (another serial at the same /dev/sdX) starts afresh: its
 * sectors are not the old drive's "rising". Recorded output of real drives
 * (appliance/testbed/fixtures/smart); the agent is the remote edge, answered with them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AgentClient } from '../../agents/client/agent-client';
import type { SmartDisk } from '../../agents/protocol/payloads/smart';
import { defaultFixturesDir } from '../../appliance/testbed/smart-fixtures';
import { manualClock } from '../../main/core/clock';
import { silentLogger } from '../../main/core/log';
import { createDiskHealthStore } from '../../main/monitoring/disk-health-store';
import { createSmartCollector } from '../../main/monitoring/smart-collector';
import { CTX, makeConsole } from '../helpers/console-fixture';

const recording = (file: string): Record<string, unknown> => JSON.parse(fs.readFileSync(path.join(defaultFixturesDir(), file), 'utf8')) as Record<string, unknown>;

function diskAnswer(data: Record<string, unknown>): SmartDisk {
  return { device: '/dev/sdb', type: 'sat', protocol: 'ATA', readAt: new Date().toISOString(), exitStatus: 0, error: null, summary: null, data, history: [], selfTests: { inProgress: null, log: [], requests: [], nextShortAt: null, nextLongAt: null } } as SmartDisk;
}

/** An agent that answers `smart.v1` with one disk at /dev/sdb. */
const agentAnswering = (data: Record<string, unknown>): AgentClient =>
  ({
    session: () => null,
    call: () => Promise.resolve({ state: 'ok', message: null, disks: [diskAnswer(data)] }),
  }) as unknown as AgentClient;

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

async function judgeTwice(first: Record<string, unknown>, second: Record<string, unknown>) {
  const c = makeConsole('smart-collector');
  cleanups.push(() => c.cleanup());
  const added = await c.dispatcher.call('fleet.add', { name: 'edge-1', address: '10.0.0.9' }, CTX);
  if (!added.ok) throw new Error(added.error.message);
  const applianceId = (added.result as { id: string }).id;
  const clock = manualClock('2026-03-01T08:00:00Z');
  const disks = createDiskHealthStore(c.db);
  const collector = createSmartCollector({ disks, clock, log: silentLogger, everyMs: 60_000 });
  const signal = new AbortController().signal;
  await collector.collect({ applianceId, agent: agentAnswering(first), clockSkewMs: 0, signal });
  clock.advance(120_000);
  await collector.collect({ applianceId, agent: agentAnswering(second), clockSkewMs: 0, signal });
  return disks.get(applianceId, '/dev/sdb')!;
}

describe('SMART collector trends', () => {
  it('reports sectors rising on the same drive', async () => {
    const now = recording('ST3500418AS_11.json');
    // The same drive an earlier day, before its reallocated sector (the count lowered in a copy).
    const before = structuredClone(now) as { ata_smart_attributes: { table: { id: number; raw: { value: number } }[] } };
    for (const a of before.ata_smart_attributes.table) if (a.id === 5) a.raw.value = 0;
    const judged = await judgeTwice(before as unknown as Record<string, unknown>, now);
    expect(judged.reasons.map((r) => r.code)).toContain('reallocated-rising');
  });

  it('does not read a swapped drive as the old one getting worse', async () => {
    const judged = await judgeTwice(recording('ST3200820AS_15.json'), recording('ST3500418AS_11.json'));
    expect(judged.identity.serial).not.toBeNull();
    expect(judged.reasons.map((r) => r.code)).not.toContain('reallocated-rising');
    expect(judged.reasons.map((r) => r.code).filter((c) => c.endsWith('-rising'))).toEqual([]);
  });
});
