import { describe, expect, it } from 'vitest';
import { EVALUATORS } from '../../main/alerts/conditions';
import type { ApplianceObservation } from '../../main/alerts/observation';
import { effectiveRules } from '../../main/alerts/rules';
import { flattenCoded, flattenCodedList, readCoded, readCodedList } from '../../main/contract/alert-params';
import type { ApplianceStatus } from '../../main/contract/status.contract';
import { alertDetail } from '../../renderer/src/i18n/alert-detail';
import { reasonText } from '../../renderer/src/i18n/reason-text';
import { createTranslator } from '../../renderer/src/i18n/translate';
import { healthFreshness } from '../../renderer/src/pages/appliance/health-freshness';
import { latinRuns } from '../helpers/latin-runs';

const zh = createTranslator('zh-CN');
const en = createTranslator('en');
const HAN = /[\u4e00-\u9fff]/;

const observation = (over: Partial<ApplianceObservation>): ApplianceObservation => ({
  applianceId: 'a1',
  name: 'edge-1',
  at: Date.parse('2026-03-01T08:00:00Z'),
  connectivity: { state: 'online', since: 0, reason: null },
  agent: null,
  metrics: {},
  disks: [],
  ...over,
});

describe('alert details are worded from codes, not the host’s English', () => {
  const rules = new Map(effectiveRules(new Map()).map((r) => [r.id, r]));

  it('an offline appliance’s alert carries its reason as a code and reads Chinese', () => {
    const obs = observation({
      connectivity: { state: 'offline', since: 0, reason: '10.0.0.5 cannot be reached from this machine (no route); check the network or VPN', reasonCode: 'ssh.host-unreachable', reasonParams: { address: '10.0.0.5' } },
    });
    const params = EVALUATORS['appliance-offline'](rules.get('appliance-offline')!, obs).conditions[0]!.params;
    expect(params).toMatchObject({ 'reason.code': 'ssh.host-unreachable', 'reason.address': '10.0.0.5' });
    const text = alertDetail(zh, { ruleId: 'appliance-offline', params });
    expect(text).toMatch(HAN);
    expect(latinRuns(text, { names: [] })).toEqual([]);
    expect(alertDetail(en, { ruleId: 'appliance-offline', params })).toContain('10.0.0.5 cannot be reached');
  });

  it('a worn disk’s alert lists each SMART reason by code, its verdict and counts worded per language', () => {
    const obs = observation({
      disks: [
        {
          device: '/dev/sdb',
          verdict: 'warning',
          reasons: ['1 sectors have been reallocated. Watch the trend; a rising count means the disk is failing.', 'The drive has run 47657 h'],
          reasonCodes: [
            { code: 'reallocated-sectors', params: { count: 1 } },
            { code: 'old-drive', params: { hours: 47_657 } },
          ],
          temperatureC: 30,
          lastSelfTest: null,
        },
      ],
    });
    const params = EVALUATORS['disk-health-worse'](rules.get('disk-health-worse')!, obs).conditions[0]!.params;
    const english = alertDetail(en, { ruleId: 'disk-health-worse', params });
    expect(english).toContain('Verdict Warning: 1 sector has been reallocated.');
    expect(english).toContain('47,657 h');
    const chinese = alertDetail(zh, { ruleId: 'disk-health-worse', params });
    expect(chinese).toMatch(HAN);
    expect(latinRuns(chinese, { names: [] })).toEqual([]);
  });

  it('enum words (agent health, service state) are translated', () => {
    expect(alertDetail(zh, { ruleId: 'agent-down', params: { health: 'unreachable' } })).toBe('代理程序：无响应');
    expect(alertDetail(zh, { ruleId: 'service-down', params: { state: 'backoff', restarts: 3 } })).not.toMatch(/backoff/);
  });

  it('flattens and reads coded texts back, lists in order', () => {
    const flat = { ...flattenCoded('reason', { code: 'ssh.timeout', params: { endpoint: 'h:22', seconds: 10 } }), ...flattenCodedList('reasons', [{ code: 'a', params: {} }, { code: 'b', params: { n: 1 } }]) };
    expect(readCoded(flat, 'reason')).toEqual({ code: 'ssh.timeout', params: { endpoint: 'h:22', seconds: 10 } });
    expect(readCodedList(flat, 'reasons')).toEqual([{ code: 'a', params: {} }, { code: 'b', params: { n: 1 } }]);
    expect(readCoded({ reason: 'English only' }, 'reason')).toBeNull();
  });
});

describe('status and inventory reasons', () => {
  it('word ssh.* with the connection test’s texts and agent.* with the status texts', () => {
    expect(reasonText(zh, 'ssh.host-unreachable', { address: '10.0.0.5' }, 'English')).toMatch(HAN);
    expect(reasonText(zh, 'agent.not-installed', {}, 'reachable over SSH; no agent is installed yet')).toBe('未安装代理程序：请先部署。');
    // A code this build does not know falls back to the host's English rather than a raw code.
    expect(reasonText(zh, 'brand-new', {}, 'Something new')).toBe('Something new');
  });
});

describe('the health card is never green for a machine the console cannot reach', () => {
  const base: ApplianceStatus = {
    applianceId: 'a1',
    state: 'online',
    since: '2026-03-01T08:00:00.000Z',
    reason: null,
    reasonCode: null,
    reasonParams: {},
    checkedAt: '2026-03-01T09:00:00.000Z',
    lastSeenAt: '2026-03-01T09:00:00.000Z',
    agentSeenAt: '2026-03-01T09:00:00.000Z',
    agent: { version: '1.0.0', pid: 10, startedAt: '2026-03-01T07:00:00.000Z' },
    clockSkewMs: 0,
    health: { status: 'ok', reasons: [], startedAt: '2026-03-01T07:00:00.000Z', uptimeSeconds: 7200, now: '2026-03-01T09:00:00.000Z', pid: 10 },
    services: [],
  };
  it('current only when the agent answered the last check of a reachable machine', () => {
    expect(healthFreshness(base)).toBe('current');
    expect(healthFreshness({ ...base, state: 'offline', lastSeenAt: '2026-03-01T08:59:00.000Z', agentSeenAt: '2026-03-01T08:59:00.000Z' })).toBe('stale');
    expect(healthFreshness({ ...base, state: 'offline' })).toBe('stale');
    expect(healthFreshness({ ...base, state: 'degraded', agentSeenAt: '2026-03-01T08:50:00.000Z' })).toBe('stale');
    expect(healthFreshness({ ...base, state: 'not-provisioned' })).toBe('not-provisioned');
    // Offline, its last report not kept: still stale (since when), never "no answer yet".
    expect(healthFreshness({ ...base, state: 'offline', health: null })).toBe('stale');
    expect(healthFreshness({ ...base, state: 'degraded', health: null, agentSeenAt: null })).toBe('none');
    expect(healthFreshness(null)).toBe('none');
  });
});

describe('the zh-CN page check', () => {
  it('flags English sentences and lets names, units, addresses, fingerprints and product terms through', () => {
    const allowed = '设备 edge-1（10.0.0.5:22）的 SSH 主机密钥 SHA256:AbC+/xyz 已变更；磁盘 /dev/sdb 容量 8.0 TB，已运行 47,657 h，WDC WD40EFRX 型号，CPU 使用率 12 %';
    expect(latinRuns(allowed, { names: ['edge-1', 'WDC WD40EFRX'] })).toEqual([]);
    expect(latinRuns('原因：The agent is not installed: provision it.', { names: [] })).toEqual(['The agent is not installed', 'provision it']);
    expect(latinRuns('状态 Online', { names: [] })).toEqual([]);
    // File names are names: “写入设备上的 settings.json（其优先于 agent.json）”.
    expect(latinRuns('写入设备上的 settings.json（其优先于 agent.json）', { names: [] })).toEqual([]);
    expect(latinRuns('“settings.json agent.json”', { names: [] })).toEqual([]);
    expect(latinRuns('见 settings file here', { names: [] })).toEqual(['settings file here']);
  });
});

describe('provisioning failures', () => {
  it('every code a step throws is worded in both languages (status.reason.<code>), counts by plural', async () => {
    // The codes main/provision/steps/** give their StepErrors, with the params they pass.
    const failures: [string, Record<string, string | number>][] = [
      ['preflight.not-ready', { count: 1 }],
      ['preflight.not-ready', { count: 3 }],
      ['agent.not-installed', {}],
      ['install.disk-full', { file: 'agent.tar.gz', sizeBytes: 1e7, dir: '/opt/appliance-agent' }],
      ['agent.unhealthy', {}],
      ['uninstall.still-running', { pids: '123' }],
      ['uninstall.remove-failed', { paths: '/opt/appliance-agent' }],
      ['step-failed', { step: 'runtime' }],
      ['cancelled', {}],
    ];
    for (const [code, params] of failures) {
      const english = reasonText(en, code, params, null);
      const chinese = reasonText(zh, code, params, null);
      expect(english, code).toBeTruthy();
      expect(english, code).not.toMatch(/\{\w+\}/);
      expect(chinese, code).toMatch(HAN);
      expect(latinRuns(chinese ?? '', { names: [] }), code).toEqual([]);
    }
    expect(reasonText(en, 'preflight.not-ready', { count: 1 }, null)).toMatch(/1 preflight check failed/);
    // The failed step is named in the reader's words.
    expect(reasonText(en, 'step-failed', { step: 'runtime' }, null)).toContain('“Node.js runtime”');
    expect(reasonText(zh, 'step-failed', { step: 'runtime' }, null)).toContain(zh.t('provision.step.runtime'));
    // The codes in the steps' sources are all listed above (a new one needs its texts).
    const fs = await import('node:fs');
    const path = await import('node:path');
    const dir = path.join(__dirname, '../../main/provision/steps');
    const thrown = fs.readdirSync(dir).flatMap((f) => [...fs.readFileSync(path.join(dir, f), 'utf8').matchAll(/new StepError\([\s\S]*?, '([\w.-]+)'/g)].map((m) => m[1]!));
    expect(thrown.length).toBeGreaterThanOrEqual(5);
    expect(thrown.filter((c) => !failures.some(([code]) => code === c))).toEqual([]);
  });
});

describe('a silent agent', () => {
  it('says why in the reader’s language, for every cause the console gives, and keeps the English for one it does not know', async () => {
    const { AGENT_CLIENT_ERROR_CODES } = await import('../../agents/client/client-errors');
    const { AGENT_ERROR_CODES } = await import('../../agents/protocol/errors');
    for (const cause of [...AGENT_CLIENT_ERROR_CODES, ...AGENT_ERROR_CODES, 'unknown']) {
      const params = { cause, detail: 'call health.v1 timed out after 5 s' };
      const chinese = reasonText(zh, 'agent.silent', params, 'the agent does not answer: …');
      expect(chinese, cause).toMatch(HAN);
      expect(latinRuns(chinese ?? '', { names: [] }), cause).toEqual([]);
      expect(reasonText(en, 'agent.silent', params, null), cause).not.toMatch(/\{\w+\}/);
    }
    expect(reasonText(en, 'agent.silent', { cause: 'timeout', detail: 'x' }, null)).toMatch(/^The agent does not answer: no answer in time/);
    expect(reasonText(zh, 'agent.silent', { cause: 'from-a-newer-host', detail: 'x' }, 'the agent does not answer: x')).toBe('the agent does not answer: x');
  });
});
