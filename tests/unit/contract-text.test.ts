import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ApiIssue } from '../../main/contract/errors';
import type { Appliance } from '../../main/contract/fleet.contract';
import { describeIssue } from '../../renderer/src/i18n/describe-error';
import { createTranslator } from '../../renderer/src/i18n/translate';
import { CTX, makeConsole } from '../helpers/console-fixture';

/**
 * Free text through the real dispatcher, as the UI, the headless host and the CLI send it: names,
 * tags, notes, filters, acknowledgement notes and silence reasons refuse control characters (and,
 * on one line, line breaks and bidi controls) with `control-characters`, and count their length in
 * code points with `too-long`; nothing refused is stored.
 */
let c: ReturnType<typeof makeConsole>;
beforeEach(() => {
  c = makeConsole('contract-text');
});
afterEach(() => c.cleanup());

async function issuesOf(method: string, input: unknown): Promise<ApiIssue[]> {
  const r = await c.dispatcher.call(method, input, CTX);
  if (r.ok) throw new Error(`${method} accepted ${JSON.stringify(input)}`);
  expect(r.error.code).toBe('invalid-input');
  return r.error.issues ?? [];
}
async function add(input: Record<string, unknown>): Promise<Appliance> {
  const r = await c.dispatcher.call('fleet.add', { address: '10.0.0.1', ...input }, CTX);
  if (!r.ok) throw new Error(r.error.message);
  return r.result as Appliance;
}
const storedNames = async () => ((await c.dispatcher.call('fleet.list', {}, CTX)) as { ok: true; result: { appliances: Appliance[] } }).result.appliances.map((a) => a.name);

/** Characters a one-line name refuses, and how the issue names each. */
const REFUSED_IN_NAMES: [what: string, char: string, label: string][] = [
  ['a NUL', '\u0000', 'U+0000'],
  ['a tab', '\t', 'U+0009'],
  ['a line feed', '\n', 'U+000A'],
  ['a carriage return', '\r', 'U+000D'],
  ['an escape', '\u001b', 'U+001B'],
  ['a DEL', '\u007f', 'U+007F'],
  ['a C1 next line', '\u0085', 'U+0085'],
  ['a C1 CSI', '\u009b', 'U+009B'],
  ['a line separator', '\u2028', 'U+2028'],
  ['a paragraph separator', '\u2029', 'U+2029'],
  ['a left-to-right embedding', '\u202a', 'U+202A'],
  ['a right-to-left override', '\u202e', 'U+202E'],
  ['a left-to-right isolate', '\u2066', 'U+2066'],
  ['a pop directional isolate', '\u2069', 'U+2069'],
];

describe('names', () => {
  it.each(REFUSED_IN_NAMES)('refuses a name with %s, naming the character and where it is', async (_what, char, label) => {
    const issues = await issuesOf('fleet.add', { name: `edge${char}-1`, address: '10.0.0.1' });
    expect(issues).toEqual([expect.objectContaining({ path: 'name', code: 'control-characters', params: { char: label, position: 5 } })]);
    expect(issues[0]!.message).toMatch(new RegExp(`Remove the invisible control character ${label.replace('+', '\\+')} \\(character 5\\)`));
    expect(await storedNames()).toEqual([]);
  });

  it('refuses a 200-character name, and one of 65 code points, with too-long {limit: 64}', async () => {
    for (const name of ['x'.repeat(200), 'é'.repeat(65)]) {
      expect(await issuesOf('fleet.add', { name, address: '10.0.0.1' })).toEqual([expect.objectContaining({ path: 'name', code: 'too-long', params: { limit: 64 } })]);
    }
    expect(await storedNames()).toEqual([]);
  });

  it('counts code points, not UTF-16 units: 64 emoji (128 units) and 64 Chinese characters fit', async () => {
    const emoji = '🛰'.repeat(64);
    expect(emoji.length).toBe(128);
    expect((await add({ name: emoji })).name).toBe(emoji);
    const chinese = '存'.repeat(64);
    expect((await add({ name: chinese, address: '10.0.0.2' })).name).toBe(chinese);
  });

  it('trims spaces around a name (a space is not a control character) and keeps scripts written right to left', async () => {
    expect((await add({ name: '  عقدة-1  ' })).name).toBe('عقدة-1');
  });

  it('applies the same rules to a rename and to every row of an import', async () => {
    const a = await add({ name: 'edge-1' });
    const rename = await issuesOf('fleet.update', { id: a.id, patch: { name: 'edge\u202e1-' } });
    expect(rename).toEqual([expect.objectContaining({ path: 'patch.name', code: 'control-characters', params: { char: 'U+202E', position: 5 } })]);
    const imported = await issuesOf('fleet.import', { appliances: [{ name: 'ok-1', address: '10.0.1.1' }, { name: 'y'.repeat(70), address: '10.0.1.2' }] });
    expect(imported).toEqual([expect.objectContaining({ path: 'appliances.1.name', code: 'too-long' })]);
    expect(await storedNames()).toEqual(['edge-1']);
  });
});

describe('tags, notes and filters', () => {
  it('refuses a tag with a NUL (which is not whitespace, so the one-word rule let it through)', async () => {
    const issues = await issuesOf('fleet.add', { name: 'a', address: '10.0.0.1', tags: ['rack\u0000a'] });
    expect(issues).toEqual([expect.objectContaining({ path: 'tags.0', code: 'control-characters', params: { char: 'U+0000', position: 5 } })]);
  });

  it('keeps tabs and line breaks in notes, turns CR LF into LF, and refuses other controls', async () => {
    const a = await add({ name: 'n-1', notes: 'rack B\r\n\tslot 4\rspare PSU' });
    expect(a.notes).toBe('rack B\n\tslot 4\nspare PSU');
    const bell = await issuesOf('fleet.update', { id: a.id, patch: { notes: 'line 1\nline\u0007 2' } });
    expect(bell).toEqual([expect.objectContaining({ path: 'patch.notes', code: 'control-characters', params: { char: 'U+0007', position: 12 } })]);
    expect(bell[0]!.message).not.toMatch(/one line/);
    const long = await issuesOf('fleet.update', { id: a.id, patch: { notes: '注'.repeat(2001) } });
    expect(long).toEqual([expect.objectContaining({ path: 'patch.notes', code: 'too-long', params: { limit: 2000 } })]);
  });

  it('refuses control characters in the list filter', async () => {
    expect(await issuesOf('fleet.list', { filter: { text: 'edge\u0000' } })).toEqual([expect.objectContaining({ path: 'filter.text', code: 'control-characters' })]);
  });
});

describe('alert notes and silence reasons', () => {
  it('refuses a NUL in an acknowledgement note, and a line break or bidi override in a silence', async () => {
    expect(await issuesOf('alerts.acknowledge', { id: 'a1', note: 'on it\u0000' })).toEqual([expect.objectContaining({ path: 'note', code: 'control-characters' })]);
    const silence = await issuesOf('alerts.silence', { match: { ruleId: 'filesystem-full', subject: '/srv/\u202edisks' }, durationMinutes: 60, reason: 'maintenance\nwindow' });
    expect(silence.map((i) => `${i.path}:${i.code}`).sort()).toEqual(['match.subject:control-characters', 'reason:control-characters']);
    const long = await issuesOf('alerts.silence', { match: { ruleId: 'filesystem-full' }, durationMinutes: 60, reason: 'r'.repeat(501) });
    expect(long).toEqual([expect.objectContaining({ path: 'reason', code: 'too-long', params: { limit: 500 } })]);
  });

  it('accepts a multi-line acknowledgement note (it then looks the alert up)', async () => {
    const r = await c.dispatcher.call('alerts.acknowledge', { id: 'no-such-alert', note: 'disk ordered\nswap Friday' }, CTX);
    expect(r).toMatchObject({ ok: false, error: { code: 'not-found' } });
  });
});

describe('the issues in both languages', () => {
  it('words control-characters and too-long in English and Chinese with their params', async () => {
    const issues = [
      ...(await issuesOf('fleet.add', { name: 'a\u0000', address: '10.0.0.1' })),
      ...(await issuesOf('fleet.add', { name: 'x'.repeat(65), address: '10.0.0.1' })),
    ];
    const en = createTranslator('en');
    const zh = createTranslator('zh-CN');
    expect(issues.map((i) => describeIssue(en, i))).toEqual(['Remove the invisible control character U+0000 (character 2)', 'At most 64 characters']);
    expect(issues.map((i) => describeIssue(zh, i))).toEqual(['请删除不可见的控制字符 U+0000（第 2 个字符）', '最多 64 个字符']);
  });
});
