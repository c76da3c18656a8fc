import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Clock } from '../../agents/agent/clock';
import { createBearerCheck } from '../../agents/agent/control/bearer-auth';
import { openRotatingLogFile, readLogTail } from '../../agents/agent/logging/log-file';
import { createLogRing } from '../../agents/agent/logging/log-ring';
import { createLogger, createRedactor } from '../../agents/agent/logging/logger';
import { LogRecordSchema, type LogRecord } from '../../agents/protocol/payloads/logs';
import { makeTempDir } from '../helpers/temp-dir';

const tmp = makeTempDir('agent-log');
afterAll(() => tmp.cleanup());

const clock: Clock = { now: () => Date.UTC(2026, 0, 2, 3, 4, 5), setTimer: () => ({ id: 0 }), clearTimer: () => undefined };
const rec = (event: string, extra: Partial<LogRecord> = {}): LogRecord => ({ time: '2026-01-02T03:04:05.000Z', level: 'info', event, ...extra });

describe('log ring cursors', () => {
  it('returns the latest entries without a cursor, then only newer ones', () => {
    const ring = createLogRing({ capacity: 100, runId: 'r1' });
    for (let i = 1; i <= 5; i++) ring.append(rec(`e${i}`));
    const latest = ring.query({ limit: 2 });
    expect(latest).toMatchObject({ entries: [{ event: 'e4', cursor: 'r1.4' }, { event: 'e5', cursor: 'r1.5' }], nextCursor: 'r1.5', reset: false, more: false });
    ring.append(rec('e6'));
    expect(ring.query({ after: 'r1.5', limit: 10 })).toMatchObject({ entries: [{ event: 'e6' }], nextCursor: 'r1.6', reset: false });
    expect(ring.query({ after: 'r1.6', limit: 10 })).toEqual({ entries: [], nextCursor: 'r1.6', reset: false, more: false });
  });

  it('pages with `more` and filters by service and level', () => {
    const ring = createLogRing({ capacity: 100, runId: 'r1' });
    ring.append(rec('a', { service: 'kodo' }));
    ring.append(rec('b', { service: 'cdn', level: 'warn' }));
    ring.append(rec('c', { service: 'kodo', level: 'error' }));
    ring.append(rec('d', { service: 'kodo' }));
    const page = ring.query({ after: 'r1.0', limit: 1, service: 'kodo' });
    expect(page).toMatchObject({ entries: [{ event: 'a' }], nextCursor: 'r1.1', more: true });
    expect(ring.query({ after: page.nextCursor!, limit: 5, service: 'kodo' }).entries.map((e) => e.event)).toEqual(['c', 'd']);
    expect(ring.query({ limit: 5, minLevel: 'warn' }).entries.map((e) => e.event)).toEqual(['b', 'c']);
  });

  it('says reset for a cursor of another run or one older than what is kept', () => {
    const ring = createLogRing({ capacity: 3, runId: 'r2' });
    for (let i = 1; i <= 10; i++) ring.append(rec(`e${i}`));
    expect(ring.query({ after: 'r1.9', limit: 10 })).toMatchObject({ reset: true, entries: [{ event: 'e8' }, { event: 'e9' }, { event: 'e10' }] });
    expect(ring.query({ after: 'r2.2', limit: 10 })).toMatchObject({ reset: true, entries: [{ event: 'e8' }, { event: 'e9' }, { event: 'e10' }] });
    expect(ring.query({ after: 'r2.8', limit: 10 })).toMatchObject({ reset: false, entries: [{ event: 'e9' }, { event: 'e10' }] });
    expect(ring.query({ after: 'r2.99', limit: 10 }).reset).toBe(true);
  });
});

describe('logger', () => {
  const token = 'tok_9f8e7d6c5b4a39281706f5e4d3c2b1a0';

  it('writes schema-valid JSON lines and never the token', () => {
    const ring = createLogRing({ capacity: 100, runId: 'r' });
    const file = openRotatingLogFile({ path: path.join(tmp.dir, 'redact.log'), maxBytes: 1 << 20, keep: 2 });
    const log = createLogger({ level: 'info', clock, ring, file, redact: createRedactor([token]) });
    log.info('control.request', { msg: `Authorization: Bearer ${token}`, header: `Bearer ${token}`, token, apiToken: 'abc', count: 3, ok: true });
    log.child({ service: 'kodo' }).warn('service.output', { msg: `leaked ${token} here`, stream: 'stderr' });
    log.debug('hidden', { msg: 'below the level' });
    file.close();
    const text = fs.readFileSync(path.join(tmp.dir, 'redact.log'), 'utf8');
    expect(text).not.toContain(token);
    const lines = text.trim().split('\n').map((l) => LogRecordSchema.parse(JSON.parse(l)));
    expect(lines).toEqual([
      { time: '2026-01-02T03:04:05.000Z', level: 'info', event: 'control.request', msg: 'Authorization: Bearer [redacted]', data: { header: 'Bearer [redacted]', token: '[redacted]', apiToken: '[redacted]', count: 3, ok: true } },
      { time: '2026-01-02T03:04:05.000Z', level: 'warn', event: 'service.output', service: 'kodo', msg: 'leaked [redacted] here', data: { stream: 'stderr' } },
    ]);
    expect(ring.size()).toBe(2);
  });

  it('rotates by size and keeps N files', () => {
    const file = path.join(tmp.dir, 'agent.log');
    const out = openRotatingLogFile({ path: file, maxBytes: 100, keep: 2 });
    for (let i = 0; i < 10; i++) out.write(`${String(i).repeat(39)}\n`); // 40 bytes each: two lines per file
    out.close();
    expect(fs.readdirSync(tmp.dir).filter((f) => f.startsWith('agent.log')).sort()).toEqual(['agent.log', 'agent.log.1', 'agent.log.2']);
    expect(fs.readFileSync(file, 'utf8')).toBe(`${'8'.repeat(39)}\n${'9'.repeat(39)}\n`);
    expect(fs.readFileSync(`${file}.2`, 'utf8')).toBe(`${'4'.repeat(39)}\n${'5'.repeat(39)}\n`);
    expect(readLogTail(file, 50)).toEqual(['9'.repeat(39)]);
  });

  it('survives an unwritable log and reports it', () => {
    const out = openRotatingLogFile({ path: path.join(tmp.dir, 'missing-dir', 'agent.log'), maxBytes: 1000, keep: 1 });
    out.write('x\n');
    expect(out.lastError()).toMatch(/ENOENT/);
    fs.mkdirSync(path.join(tmp.dir, 'missing-dir'));
    out.write('y\n');
    expect(out.lastError()).toBeNull();
    out.close();
  });
});

describe('bearer check', () => {
  const check = createBearerCheck('s3cr3t-token-with-enough-length-000');
  it.each([
    ['Bearer s3cr3t-token-with-enough-length-000', true],
    ['bearer s3cr3t-token-with-enough-length-000', false],
    ['Bearer s3cr3t-token-with-enough-length-001', false],
    ['Bearer s3cr3t-token-with-enough-length-000 ', false],
    ['Basic czNjcjN0', false],
    ['Bearer ', false],
    [undefined, false],
  ])('%s → %s', (header, ok) => {
    expect(check(header)).toBe(ok);
  });
});
