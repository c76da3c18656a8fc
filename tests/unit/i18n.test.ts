import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { HEALTH_REASON_CODES } from '../../agents/protocol/payloads/health';
import { apiMethods } from '../../main/contract/api.contract';
import { API_ERROR_CODES, ApiError } from '../../main/contract/errors';
import { applianceInput, appliancePatch } from '../../main/contract/fleet.contract';
import { toApiIssues } from '../../main/contract/validate';
import { assessDisk, REASON_CODES, smartctlJson } from '../../main/health/smart-verdict';
import { defaultFixturesDir } from '../../appliance/testbed/smart-fixtures';
import { describeError, describeIssue } from '../../renderer/src/i18n/describe-error';
import { en, EN_DOMAINS } from '../../renderer/src/i18n/en';
import { createTranslator, DICTIONARIES, interpolate } from '../../renderer/src/i18n/translate';
import { pluralCategories } from '../../renderer/src/i18n/plural';
import { zhCN, ZH_CN_DOMAINS } from '../../renderer/src/i18n/zh-CN';
import type { Locale } from '../../main/contract/settings.contract';

const placeholders = (text: string): string[] => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1] ?? '').sort();

describe('dictionaries', () => {
  const enKeys = Object.keys(en).sort();
  const zhKeys = Object.keys(zhCN).sort();

  it('zh-CN has every English key, but for the plural categories Chinese does not have', () => {
    expect(zhKeys).toEqual(enKeys.filter((key) => !/\.(zero|one|two|few|many)$/.test(key) || !enKeys.includes(key.replace(/\.\w+$/, '.other'))));
  });

  it.each(Object.entries(DICTIONARIES))('%s words each counted text in exactly its plural categories', (locale, dictionary) => {
    const keys = Object.keys(dictionary);
    const bases = [...new Set(Object.keys(en).filter((k) => k.endsWith('.other')).map((k) => k.slice(0, -'.other'.length)))];
    expect(bases.length).toBeGreaterThan(0);
    const wanted = pluralCategories(locale as Locale).sort();
    const wrong = bases.filter((base) => keys.filter((k) => k.startsWith(`${base}.`) && !k.slice(base.length + 1).includes('.')).map((k) => k.slice(base.length + 1)).sort().join() !== wanted.join());
    expect(wrong).toEqual([]);
  });

  it.each([
    ['en', EN_DOMAINS],
    ['zh-CN', ZH_CN_DOMAINS],
  ] as const)('%s defines each key in one domain file only', (_locale, domains) => {
    const seen = new Map<string, string>();
    const twice: string[] = [];
    for (const [domain, texts] of Object.entries(domains)) {
      for (const key of Object.keys(texts)) {
        const first = seen.get(key);
        if (first) twice.push(`${key} in ${first} and ${domain}`);
        seen.set(key, domain);
      }
    }
    expect(twice).toEqual([]);
    expect(Object.keys(ZH_CN_DOMAINS).sort()).toEqual(Object.keys(EN_DOMAINS).sort());
  });

  it.each(Object.entries(DICTIONARIES))('%s has no empty or whitespace-only texts', (_locale, dictionary) => {
    const empty = Object.entries(dictionary).filter(([, text]) => text.trim() === '').map(([key]) => key);
    expect(empty).toEqual([]);
  });

  it('every key uses the same {params} in both languages (a counted text: its every form)', () => {
    const mismatched = enKeys.filter((key) => {
      const zh = (zhCN as Record<string, string>)[key] ?? (zhCN as Record<string, string>)[key.replace(/\.\w+$/, '.other')] ?? '';
      return placeholders((en as Record<string, string>)[key] ?? '').join() !== placeholders(zh).join();
    });
    expect(mismatched).toEqual([]);
  });

  it('every ApiError code in the contract has an errors.<code> text', () => {
    const missing = API_ERROR_CODES.filter((code) => !(`errors.${code}` in en));
    expect(missing).toEqual([]);
  });

  it('every reason code an agent reports in health.v1 has an appliance.health.code.<code> text in both languages', () => {
    const missing = HEALTH_REASON_CODES.flatMap((code) => [en, zhCN].filter((d) => !(`appliance.health.code.${code}` in d)).map((d) => `${d === en ? 'en' : 'zh-CN'}: ${code}`));
    expect(missing).toEqual([]);
  });

  it('every disk-health reason code has a disks.reason.<code> text, filled by the params the verdict gives', () => {
    // A counted reason (`{count} sectors`) is worded per plural category: its `.other` form names it.
    const textOf = (code: string) => (en as Record<string, string>)[`disks.reason.${code}`] ?? (en as Record<string, string>)[`disks.reason.${code}.other`];
    expect(REASON_CODES.filter((code) => textOf(code) === undefined)).toEqual([]);
    // Every recorded drive in the shared fixtures: each reason's text has all its {params}.
    const dir = defaultFixturesDir();
    const unfilled: string[] = [];
    const seen = new Set<string>();
    for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.json'))) {
      for (const r of assessDisk(smartctlJson.parse(JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')))).reasons) {
        seen.add(r.code);
        const template = textOf(r.code) ?? '';
        const missing = placeholders(template).filter((p) => r.params?.[p] === undefined);
        if (missing.length > 0) unfilled.push(`${file}: ${r.code} lacks ${missing.join(', ')}`);
      }
    }
    expect(unfilled).toEqual([]);
    expect(seen.size, 'the fixtures give reasons with params').toBeGreaterThanOrEqual(3);
  });

  it('every API method has a methods.<name> label for the audit log', () => {
    const missing = Object.keys(apiMethods).filter((name) => !(`methods.${name}` in en));
    expect(missing).toEqual([]);
  });

  it('zh-CN texts are actually Chinese where English words would be out of place', () => {
    // Catches a copy-pasted English text left untranslated (identical and containing a plain word).
    const untranslated = Object.keys(en).filter((key) => {
      const english = (en as Record<string, string>)[key] ?? '';
      const chinese = (zhCN as Record<string, string>)[key] ?? '';
      return english === chinese && /[a-z]{4,}/.test(english) && !/^[\w.-]+$/.test(english);
    });
    expect(untranslated).toEqual([]);
  });
});

/** Inputs that trip each rule of the appliance schemas, to collect every issue code they emit. */
const BAD_APPLIANCES: unknown[] = [
  {},
  { name: '', address: '' },
  { name: 'x'.repeat(65), address: '999.1.1.1', port: 0, user: 'Root', role: 'router', tags: ['a b'], notes: 'n'.repeat(2001) },
  { name: 'a', address: 'h', port: 70000, tags: Array.from({ length: 17 }, (_, i) => `t${i}`) },
  { name: 'a', address: 'h', port: 1.5, user: '' },
  { name: 'a', address: 'h', auth: { kind: 'password', password: '' } },
  { name: 'a', address: 'h', auth: { kind: 'private-key', privateKey: 'not a key' } },
  { name: 'a', address: 'h', auth: { kind: 'magic' } },
  { name: 'a', address: 'h', extra: true },
  { name: 42, address: 'h' },
];

describe('issue texts', () => {
  const issues = BAD_APPLIANCES.flatMap((value) => {
    const add = applianceInput.safeParse(value, { reportInput: true });
    const patch = appliancePatch.safeParse(value, { reportInput: true });
    return [...(add.success ? [] : toApiIssues(add.error)), ...(patch.success ? [] : toApiIssues(patch.error))];
  });
  const codes = [...new Set([...issues.map((i) => i.code), 'duplicate-name', 'duplicate-endpoint'])].sort();

  it('the bad inputs cover the contract’s custom codes', () => {
    expect(codes).toEqual(expect.arrayContaining(['required', 'too-small', 'too-big', 'invalid-address', 'invalid-user', 'invalid-tag', 'invalid-private-key']));
  });

  it.each(codes)('issues.%s is translated', (code) => {
    expect(`issues.${code}` in en).toBe(true);
  });

  it.each(['en', 'zh-CN'] as const)('every collected issue reads without raw placeholders in %s', (locale) => {
    const translator = createTranslator(locale);
    for (const issue of issues) expect(describeIssue(translator, issue)).not.toMatch(/\{\w+\}/);
  });

  it('a one-character minimum on a string reads as "required"', () => {
    const zh = createTranslator('zh-CN');
    expect(describeIssue(zh, { path: 'name', code: 'too-small', message: '', params: { limit: 1, origin: 'string' } })).toBe(zhCN['issues.required']);
    expect(describeIssue(zh, { path: 'port', code: 'too-big', message: '', params: { limit: 65535, origin: 'number' } })).toBe('不能大于 65,535');
  });

  it('says "whole number" for a fractional port, not "expected int"', () => {
    const parsed = applianceInput.safeParse({ name: 'a', address: 'h', port: 1.5 }, { reportInput: true });
    const issue = parsed.success ? undefined : toApiIssues(parsed.error).find((i) => i.path === 'port');
    expect(issue && describeIssue(createTranslator('en'), issue)).toBe('Enter a whole number');
  });

  it('falls back to the host’s English text for an unknown code', () => {
    const zh = createTranslator('zh-CN');
    expect(describeIssue(zh, { path: 'x', code: 'brand-new-code', message: 'Brand new problem' })).toBe('Brand new problem');
  });

  it('translates a duplicate name with its param', () => {
    const en = createTranslator('en');
    expect(describeIssue(en, { path: 'name', code: 'duplicate-name', message: '', params: { name: 'rack-1' } })).toBe('Another appliance is already called “rack-1”');
  });
});

describe('t and interpolation', () => {
  it('fills params and groups numbers by locale', () => {
    expect(createTranslator('en').tp('fleet.count', { count: 1000 })).toBe('1,000 appliances');
    expect(createTranslator('zh-CN').t('fleet.countFiltered', { shown: 3, total: 1200 })).toBe('显示 3 台，共 1,200 台');
  });

  it('leaves unknown placeholders visible instead of printing "undefined"', () => {
    expect(interpolate('a {b} c', {}, 'en')).toBe('a {b} c');
  });

  it('describes ApiErrors by code and other failures generically', () => {
    const zh = createTranslator('zh-CN');
    expect(describeError(zh, new ApiError('conflict', 'x'))).toBe(zhCN['errors.conflict']);
    expect(describeError(zh, new Error('boom'))).toBe(zhCN['errors.unexpected']);
  });

  it('words an action the appliance cannot do now by its status reason, not as a clash', () => {
    const zh = createTranslator('zh-CN');
    expect(describeError(zh, new ApiError('conflict', 'x', { params: { reason: 'agent.too-old', service: 'kodo' } }))).toBe(zhCN['status.reason.agent.too-old']);
    const silent = describeError(zh, new ApiError('conflict', 'x', { params: { reason: 'agent.silent', cause: 'timeout', service: 'kodo' } }));
    expect(silent).toContain(zhCN['status.reason.agent.cause.timeout']);
    // A reason this build does not know: the error's own text by code.
    expect(describeError(zh, new ApiError('conflict', 'x', { params: { reason: 'from.a.newer.host' } }))).toBe(zhCN['errors.conflict']);
  });
});
