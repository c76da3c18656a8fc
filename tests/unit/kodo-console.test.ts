import { afterEach, describe, expect, it } from 'vitest';
import { AgentError } from '../../agents/protocol/errors';
import type { MethodOutput } from '../../main/contract/api.contract';
import { KODO_REFUSALS, refusalReason } from '../../main/services/kodo/kodo-control';
import { kodoLayoutOptions, parseLayout } from '../../main/services/kodo/kodo-layouts';
import { en } from '../../renderer/src/i18n/en';
import { zhCN } from '../../renderer/src/i18n/zh-CN';
import { setupKodoConsole } from '../helpers/kodo-double-console';
// @ts-expect-error: a plain .mjs test double without type declarations
import { seedObjects } from '../fixtures/services/kodo-control-double.mjs';

/*
 * The console's kodo.* methods through the real dispatcher (validation, audit), the real store and
 * the real Kodo service module of the console; at the remote edge, the agent's own forwarding
 * (callServiceControl, the code service-call.v1 runs) over a real Unix socket to a TEST DOUBLE of
 * Kodo's control socket (tests/fixtures/services/kodo-control-double.mjs). Only the SSH link is
 * replaced: `reach.withAgent` hands the service this agent session.
 */

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const f of cleanups.splice(0).reverse()) await f();
});
const setup = (opts?: { disks?: number; running?: boolean }) => setupKodoConsole(cleanups, opts);

type Status = MethodOutput<'kodo.status'>;

describe('kodo.status and kodo.init', () => {
  it('before init: the layouts that split the data disks, the planner’s pick marked, its durability shown', async () => {
    const t = await setup({ disks: 4 });
    const s = await t.call<Status>('kodo.status', {});
    expect(s).toMatchObject({ available: true, initialized: false, layout: null, endpoints: { s3: 'http://10.0.0.5:9000', qiniu: 'http://10.0.0.5:9010' } });
    // No inventory reported: a 20 TB disk is assumed and said to be.
    expect(s.plannerBasis).toMatchObject({ disks: 4, diskSizeBytes: 20e12, diskSizeAssumed: true, targetNines: 11 });
    // 3+1 and 2+2 both miss 11 nines on 20 TB disks (rebuilds of 55 h): the more durable one is picked.
    expect(s.layoutOptions.map((o) => [`${o.k}+${o.m}`, o.durabilityNines, o.recommended])).toEqual([
      ['3+1', 4.7, false],
      ['2+2', 8.4, true],
    ]);
  });

  it('the planner’s rule on larger sets: the lowest redundancy that reaches the target, stated by the disks’ size', () => {
    const pick = (disks: number, size: number) => kodoLayoutOptions(disks, size).find((o) => o.recommended);
    // Small disks rebuild in seconds: 20+2 is the cheapest layout reaching 11 nines on 22 of them.
    expect(pick(22, 1e9)).toMatchObject({ k: 20, m: 2, meetsTarget: true });
    // 20 TB disks take 55 h to rebuild: 18+4 is needed for 11 nines (20+2 reaches only 5.8).
    expect(pick(22, 20e12)).toMatchObject({ k: 18, m: 4, durabilityNines: 11.3 });
    expect(kodoLayoutOptions(22, 20e12).find((o) => o.k === 20)?.durabilityNines).toBe(5.8);
    expect(kodoLayoutOptions(2, 1e12)).toEqual([]);
    expect(parseLayout('20+2')).toEqual({ k: 20, m: 2 });
    expect(parseLayout('20-2')).toBeNull();
  });

  it('init without a layout takes the planner’s pick; again, it is refused before anything is sent', async () => {
    const t = await setup({ disks: 4 });
    const done = await t.call<MethodOutput<'kodo.init'>>('kodo.init', {});
    expect(done).toMatchObject({ layout: { k: 2, m: 2 }, chosenBy: 'planner', durabilityNines: 8.4, redundancyRatio: 2, disks: 4 });
    expect(t.state.layout).toEqual({ k: 2, m: 2 });
    const again = await t.refusal('kodo.init', { layout: { k: 3, m: 1 } });
    expect(again).toMatchObject({ code: 'conflict', params: { reason: 'kodo.already-initialized', k: 2, m: 2 } });
    expect(t.state.calls.filter((c) => c.method === 'init.v1')).toHaveLength(1);
    const s = await t.call<Status>('kodo.status', {});
    expect(s).toMatchObject({ initialized: true, layout: { k: 2, m: 2 }, durabilityNines: 8.4, layoutOptions: [] });
    expect(s.disks.map((d) => d.state)).toEqual(['online', 'online', 'online', 'online']);
    expect(t.audit().map((a) => [a.method, a.result, a.error_code])).toEqual([
      ['fleet.add', 'ok', null],
      ['kodo.init', 'ok', null],
      ['kodo.init', 'error', 'conflict'],
    ]);
  });

  it('a layout that does not split the data disks is a field issue, and nothing reaches Kodo', async () => {
    const t = await setup({ disks: 4 });
    const err = await t.refusal('kodo.init', { layout: { k: 4, m: 2 } });
    expect(err).toMatchObject({ code: 'invalid-input', issues: [{ path: 'layout', code: 'kodo-layout-disks', params: { disks: 4, choices: '3+1, 2+2' } }] });
    expect(t.state.calls.map((c) => c.method)).toEqual(['status.v1']);
  });
});

describe('keys, buckets, healing and objects', () => {
  it('a new key’s secret is in the answer only: not in the audit log, not in the key list', async () => {
    const t = await setup();
    await t.call('kodo.init', { layout: { k: 3, m: 1 } });
    const created = await t.call<MethodOutput<'kodo.createKey'>>('kodo.createKey', { bucket: 'photos', readOnly: true, description: 'backup job' });
    expect(created).toMatchObject({ endpoint: 'http://10.0.0.5:9000', region: 'us-east-1', key: { bucket: 'photos', access: 'read-only', description: 'backup job' } });
    expect(created.secretKey).toMatch(/^secret-/);
    const listed = await t.call<MethodOutput<'kodo.listKeys'>>('kodo.listKeys', {});
    expect(listed.keys).toHaveLength(1);
    expect(JSON.stringify(listed)).not.toContain(created.secretKey);
    expect(JSON.stringify(t.audit())).not.toContain(created.secretKey);
    const stored = JSON.stringify(t.c.db.prepare("SELECT * FROM sqlite_master WHERE type = 'table'").all().map((r) => t.c.db.prepare(`SELECT * FROM "${(r as { name: string }).name}"`).all()));
    expect(stored).not.toContain(created.secretKey);
    expect(await t.call('kodo.revokeKey', { accessKeyId: created.key.accessKeyId })).toEqual({ revoked: true });
    expect((await t.call<MethodOutput<'kodo.listKeys'>>('kodo.listKeys', {})).keys).toEqual([]);
  });

  it('buckets: create, a duplicate and a non-empty delete refused with their reasons, public read switched', async () => {
    const t = await setup();
    await t.call('kodo.init', {});
    expect(await t.call('kodo.createBucket', { name: 'photos' })).toEqual({ name: 'photos' });
    expect(await t.refusal('kodo.createBucket', { name: 'photos' })).toMatchObject({ code: 'conflict', params: { reason: 'kodo.bucket-already-exists', code: 'kodo.bucket-already-exists' } });
    expect(await t.call('kodo.setPublicRead', { name: 'photos', publicRead: true })).toEqual({ name: 'photos', publicRead: true });
    seedObjects(t.state, { photos: { 'a.jpg': 1000 } });
    expect(await t.refusal('kodo.deleteBucket', { name: 'photos' })).toMatchObject({ code: 'conflict', params: { reason: 'kodo.bucket-not-empty' } });
    expect(await t.refusal('kodo.deleteBucket', { name: 'nothere' })).toMatchObject({ code: 'not-found', params: { reason: 'kodo.no-such-bucket' } });
    const { buckets } = await t.call<MethodOutput<'kodo.listBuckets'>>('kodo.listBuckets', {});
    expect(buckets).toMatchObject([{ name: 'photos', publicRead: true, objects: 1, logicalBytes: 1000, rawBytes: 2000 }]);
    // The real redundancy, raw ÷ logical over the buckets' scans: 2+2 stores each byte twice.
    expect((await t.call<Status>('kodo.status', {})).redundancy).toEqual({ logicalBytes: 1000, rawBytes: 2000, ratio: 2 });
  });

  it('a bucket name Kodo would refuse is refused by the contract, before the agent is asked', async () => {
    const t = await setup();
    const err = await t.refusal('kodo.createBucket', { name: 'Bad_Name' });
    expect(err.code).toBe('invalid-input');
    expect(t.state.calls).toEqual([]);
  });

  it('healing: priority and a rescan pass through, and the state comes back', async () => {
    const t = await setup();
    await t.call('kodo.init', {});
    const h = await t.call<MethodOutput<'kodo.heal'>>('kodo.heal', { priority: 'high', rescanDisks: true });
    expect(h).toMatchObject({ state: 'scanning', priority: 'high' });
    expect(t.state.calls.at(-1)).toEqual({ method: 'heal.v1', params: { start: false, rescanDisks: true, priority: 'high' } });
  });

  it('objects: one folder level at a time, paged with the continuation token, and deleted', async () => {
    const t = await setup();
    await t.call('kodo.init', {});
    seedObjects(t.state, { media: { 'a.txt': 1, 'b.txt': 2, 'c.txt': 3, 'dir/x.bin': 10, 'dir/y.bin': 20 } });
    type Page = MethodOutput<'kodo.listObjects'>;
    const first = await t.call<Page>('kodo.listObjects', { bucket: 'media', maxKeys: 2 });
    expect(first.objects.map((o) => o.key)).toEqual(['a.txt', 'b.txt']);
    expect(first.nextContinuationToken).not.toBeNull();
    const second = await t.call<Page>('kodo.listObjects', { bucket: 'media', maxKeys: 2, continuationToken: first.nextContinuationToken });
    expect([second.objects.map((o) => o.key), second.commonPrefixes, second.nextContinuationToken]).toEqual([['c.txt'], ['dir/'], null]);
    const inside = await t.call<Page>('kodo.listObjects', { bucket: 'media', prefix: 'dir/' });
    expect(inside.objects.map((o) => [o.key, o.size])).toEqual([
      ['dir/x.bin', 10],
      ['dir/y.bin', 20],
    ]);
    expect(await t.call('kodo.deleteObject', { bucket: 'media', key: 'dir/x.bin' })).toEqual({ deleted: true });
    expect((await t.call<Page>('kodo.listObjects', { bucket: 'media', prefix: 'dir/' })).objects).toHaveLength(1);
  });
});

describe('when Kodo cannot answer', () => {
  it('status is a view saying why (the page shows it); an action is an error with the same reason', async () => {
    const t = await setup({ running: false });
    const s = await t.call<Status>('kodo.status', {});
    expect(s).toMatchObject({ available: false, reasonCode: 'kodo.not-running', initialized: false, layoutOptions: [], endpoints: null });
    expect(await t.refusal('kodo.createBucket', { name: 'photos' })).toMatchObject({ code: 'conflict', params: { reason: 'kodo.not-running', code: 'service.not-running' } });
  });

  it('an unreachable machine: the SSH reason, with its parameters', async () => {
    const t = await setup();
    t.machine.reachable = false;
    const s = await t.call<Status>('kodo.status', {});
    expect(s).toMatchObject({ available: false, reasonCode: 'ssh.timeout', reasonParams: { seconds: 10, service: 'kodo' } });
  });

  it('an agent without Kodo, or older than this console: the agent’s reasons, worded as the service control words them', async () => {
    const t = await setup();
    t.machine.failWith = new AgentError('invalid-input', 'kodo runs on server; this machine is a smartbox', { issues: [{ path: 'id', code: 'wrong-role', message: 'kodo runs on server' }] });
    expect(await t.call<Status>('kodo.status', {})).toMatchObject({ available: false, reasonCode: 'service.wrong-role', reasonParams: { service: 'kodo' } });
    t.machine.failWith = new AgentError('not-supported', 'service-call.v1 is not supported by this agent');
    expect(await t.call<Status>('kodo.status', {})).toMatchObject({ available: false, reasonCode: 'agent.too-old' });
    expect(await t.refusal('kodo.createBucket', { name: 'photos' })).toMatchObject({ code: 'conflict', params: { reason: 'agent.too-old' } });
  });

  it('an answer that breaks Kodo’s schema is refused by the console too', async () => {
    const t = await setup();
    t.machine.answer = { ok: true, result: { initialized: 'yes' } };
    const s = await t.call<Status>('kodo.status', {});
    expect(s).toMatchObject({ available: false, reasonCode: 'kodo.bad-answer' });
  });

  it('every reason the console gives has a text in both languages', () => {
    const reasons = new Set([...Object.keys(KODO_REFUSALS), ...['service.not-running', 'service.unanswered', 'service.bad-answer', 'service.invalid-config', 'kodo.something-new'].map(refusalReason), 'kodo.too-few-disks']);
    expect(reasons.has('kodo.refused')).toBe(true);
    const missing = [...reasons].filter((r) => !(`status.reason.${r}` in en) || !(`status.reason.${r}` in zhCN));
    expect(missing).toEqual([]);
    expect('issues.kodo-layout-disks' in en && 'issues.kodo-layout-disks' in zhCN).toBe(true);
  });
});
