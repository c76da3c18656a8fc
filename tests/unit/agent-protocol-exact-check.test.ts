/**
 * The exact check (agents/protocol/exact-check.ts) against zod itself: on valid answers of every
 * method it says true and the value is what zod returns; on thousands of mutated answers (a field
 * removed, retyped, out of range, too long, a key added, a default left out) it never says true
 * where zod refuses or changes the value. When it says false, decodeResponse parses with zod, so
 * only the "true" side has to be proven.
 */
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { exactCheck } from '../../agents/protocol/exact-check';
import { decodeResponse, successFrame } from '../../agents/protocol/frames';
import { AGENT_METHODS, type AgentMethodName } from '../../agents/protocol/methods';

const T = '2026-03-01T08:00:00.000Z';
const health = { status: 'degraded', reasons: [{ code: 'service-backoff', subject: 'kodo', message: 'kodo crashed; restart in 2 s' }], startedAt: T, uptimeSeconds: 3600.5, now: T, pid: 42 };
const service = {
  name: 'kodo',
  state: 'backoff',
  pid: null,
  user: 'kodo',
  startedAt: null,
  restarts: 3,
  crashes: 3,
  consecutiveFailures: 2,
  flapping: false,
  lastExit: { code: 1, signal: null, at: T, runtimeMs: 1200, crashed: true },
  nextRestartAt: T,
  backoffMs: 2000,
  lastError: null,
};
const sample = {
  seq: 7,
  time: T,
  intervalMs: 10000,
  cpu: { busyPercent: 12.5, userPercent: 10, systemPercent: 2.5, iowaitPercent: 0, stealPercent: null, coresBusyPercent: [10, 15, null] },
  load: { load1: 0.5, load5: 0.4, load15: 0.3 },
  memory: { totalBytes: 8e9, availableBytes: 4e9, usedBytes: 4e9, buffersBytes: 1e8, cachedBytes: 2e9, swapTotalBytes: 0, swapUsedBytes: 0 },
  net: [{ name: 'eth0', rxBytesPerSec: 1000, txBytesPerSec: 2000, rxPacketsPerSec: 10, txPacketsPerSec: 20, rxErrorsPerSec: 0, txErrorsPerSec: 0, rxDropsPerSec: null, txDropsPerSec: 0 }],
  disks: [{ name: 'sda', sizeBytes: 4e12, readOpsPerSec: 1, writeOpsPerSec: 2, readBytesPerSec: 4096, writeBytesPerSec: 8192, utilPercent: 3, readAwaitMs: null, writeAwaitMs: 1.5, inFlight: 0 }],
  filesystems: [{ mountpoint: '/srv/disks/d1', device: '/dev/sda1', fsType: 'ext4', sizeBytes: 4e12, usedBytes: 1e12, availableBytes: 3e12, usePercent: 25, inodesTotal: 1000, inodesUsed: 10, inodesUsePercent: 1, readOnly: false }],
  temperatures: [{ sensor: 'hwmon:coretemp/Package id 0', celsius: 45 }],
  services: [{ name: 'kodo', state: 'running', pid: 7, cpuPercent: 1.5, rssBytes: 5e8, processes: 3, restarts: 0, crashes: 0 }],
  agent: { cpuPercent: 0.1, rssBytes: 5e7 },
};
const metrics = { historyId: 'h1', samples: [sample, { ...sample, seq: 8 }], next: 'h1.8', oldest: 'h1.1', newest: 'h1.8', gap: false, more: false, intervalMs: 10000 };

/** A valid answer of each method the watch reads every round, plus simpler ones. */
const VALID: Partial<Record<AgentMethodName, unknown[]>> = {
  'health.v1': [health, { ...health, status: 'ok', reasons: [] }],
  'services.v1': [{ services: [service, { ...service, name: 'cdn', state: 'running', pid: 9, lastExit: null, nextRestartAt: null, backoffMs: null }] }, { services: [] }],
  'metrics.v1': [metrics, { historyId: 'h1', samples: [], next: null, oldest: null, newest: null, gap: true, more: true, intervalMs: 1 }],
  'watch.v1': [{ health, services: [service], metrics }, { health, services: [], metrics: null }],
  'version.v1': [{ agentVersion: '0.1.0', target: 'linux-x64', node: 'v22.0.0', platform: 'linux', arch: 'x64', protocol: 1 }],
};

/** Values a mutation puts in place of a field. */
const REPLACEMENTS: unknown[] = [null, undefined, -1, 0, 1.5, 101, 2 ** 60, -0, '', 'x', 'x'.repeat(5000), 'not a time', '2026-13-01T00:00:00Z', T, true, false, {}, [], [1], { extra: 1 }];

function clone<V>(v: V): V {
  return JSON.parse(JSON.stringify(v)) as V;
}

/** Every path to a value inside `v` (objects and arrays). */
function paths(v: unknown, at: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = [at];
  if (Array.isArray(v)) v.forEach((x, i) => out.push(...paths(x, [...at, i])));
  else if (typeof v === 'object' && v !== null) for (const [k, x] of Object.entries(v)) out.push(...paths(x, [...at, k]));
  return out;
}

function mutate(base: unknown, rnd: () => number): unknown {
  const v = clone(base);
  const all = paths(v);
  const path = all[Math.floor(rnd() * all.length)]!;
  if (path.length === 0) return REPLACEMENTS[Math.floor(rnd() * REPLACEMENTS.length)];
  let parent = v as Record<string | number, unknown>;
  for (const p of path.slice(0, -1)) parent = parent[p] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  const kind = rnd();
  if (kind < 0.15) delete parent[last];
  else if (kind < 0.25 && typeof parent === 'object' && !Array.isArray(parent)) parent[`unknown${Math.floor(rnd() * 3)}`] = 1;
  else if (kind < 0.3 && Array.isArray(parent[last])) (parent[last] as unknown[]).push(...Array.from({ length: 5000 }, () => (parent[last] as unknown[])[0]));
  else parent[last] = REPLACEMENTS[Math.floor(rnd() * REPLACEMENTS.length)];
  return v;
}

function seeded(seed: number): () => number {
  let s = seed;
  return () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
}

describe('the exact check of an answer', () => {
  it('says true on valid answers, and the value is what zod returns', () => {
    for (const [method, values] of Object.entries(VALID)) {
      const schema: z.ZodMiniType = AGENT_METHODS[method as AgentMethodName].result;
      const check = exactCheck(schema);
      for (const v of values) {
        const parsed = schema.safeParse(v);
        expect(parsed.success, method).toBe(true);
        expect(check(v), method).toBe(true);
        expect(parsed.data).toEqual(v);
      }
    }
  });

  it('never says true where zod refuses or changes the value (mutated answers of every method)', () => {
    const rnd = seeded(7);
    let trueCount = 0;
    let falseCount = 0;
    for (const [method, values] of Object.entries(VALID)) {
      const schema: z.ZodMiniType = AGENT_METHODS[method as AgentMethodName].result;
      const check = exactCheck(schema);
      for (const base of values) {
        for (let i = 0; i < 1500; i++) {
          const v = mutate(base, rnd);
          if (check(v)) {
            trueCount++;
            const parsed = schema.safeParse(v);
            expect(parsed.success, `${method}: ${JSON.stringify(v).slice(0, 300)}`).toBe(true);
            expect(parsed.data, method).toEqual(v);
          } else falseCount++;
        }
      }
    }
    // Both sides were exercised: mutations that stay valid (a number for a number) and ones that do not.
    expect(trueCount).toBeGreaterThan(100);
    expect(falseCount).toBeGreaterThan(1000);
  });

  it('says false on what zod would change: an extra key it strips, a default it fills in', () => {
    const strip = z.object({ a: z.number() });
    expect(exactCheck(strip)({ a: 1, b: 2 })).toBe(false);
    expect(strip.safeParse({ a: 1, b: 2 }).data).toEqual({ a: 1 });
    const defaulted = z.object({ a: z._default(z.number(), 5) });
    expect(exactCheck(defaulted)({})).toBe(false);
    expect(exactCheck(z.object({ a: z.optional(z._default(z.number(), 5)) }))({})).toBe(false);
    expect(exactCheck(z.object({ a: z.optional(z.number()) }))({})).toBe(true);
    // Constructs it does not handle are left to zod.
    expect(exactCheck(z.union([z.string(), z.number()]))('x')).toBe(false);
    expect(exactCheck(z.record(z.string(), z.number()))({ a: 1 })).toBe(false);
  });

  it('runs refinements and formats through zod’s own checks', () => {
    const device = AGENT_METHODS['smart-selftest.v1'].params; // a refine on the device path
    expect(exactCheck(device)({ device: '/dev/sda', kind: 'short' })).toBe(true);
    expect(exactCheck(device)({ device: '/dev/../etc', kind: 'short' })).toBe(false);
    expect(exactCheck(z.iso.datetime())('2026-03-01T08:00:00Z')).toBe(true);
    expect(exactCheck(z.iso.datetime())('2026-03-01 08:00')).toBe(false);
  });

  it('decodes a watch.v1 answer to the same result either way', () => {
    const answer = { health, services: [service], metrics };
    expect(decodeResponse('watch.v1', JSON.stringify(successFrame('watch.v1', answer, undefined)))).toEqual(answer);
    // An extra field from a newer agent: zod strips it, as before.
    const newer = { ...answer, health: { ...health, load: 1 } };
    expect(decodeResponse('watch.v1', JSON.stringify(successFrame('watch.v1', newer, undefined)))).toEqual(answer);
  });
});
