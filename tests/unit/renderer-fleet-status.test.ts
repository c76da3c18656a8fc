import { QueryClient, type InfiniteData } from '@tanstack/react-query';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ConsoleBridge } from '../../main/contract/transport';
import type { ApplianceStatus } from '../../main/contract/status.contract';
import { createTypedClient } from '../../renderer/src/api/typed-client';
import { queryKeys } from '../../renderer/src/api/query-keys';
import { prependEvent, subscribeStatusUpdates, type EventsPage, type StatusMap } from '../../renderer/src/api/status-cache';
import { formatMemory, formatRelativeTime } from '../../renderer/src/i18n/format';
import { createTranslator } from '../../renderer/src/i18n/translate';
import { reasonText } from '../../renderer/src/pages/appliance/status-labels';
import { runBounded } from '../../renderer/src/pages/fleet/bulk-run';
import { applyProvisionEvent, emptyStepLog, stepLabel, stoppedStep, type ProvisionEvent, type StepLog } from '../../renderer/src/pages/fleet/provision-step-log-model';
import { CTX, makeConsole } from '../helpers/console-fixture';

const fold = (events: ProvisionEvent[], from: StepLog = emptyStepLog()): StepLog => events.reduce(applyProvisionEvent, from);
const started = (runId: string, plan: string, ids: string[]): ProvisionEvent => ({ type: 'run-started', runId, plan, steps: ids.map((id) => ({ id, title: `Title of ${id}` })) });
const finished = (runId: string, stepId: string, status: 'done' | 'unchanged' | 'failed' | 'cancelled'): ProvisionEvent => ({ type: 'step-finished', runId, stepId, status, durationMs: 12, outputTail: '', error: status === 'failed' ? 'boom' : null, errorCode: status === 'failed' ? 'step-failed' : null, errorParams: status === 'failed' ? { step: stepId } : {} });

describe('provision step log', () => {
  it('takes its steps from run-started, so upgrade and uninstall plans show their own steps', () => {
    expect(fold([started('r1', 'upgrade', ['preflight', 'installed', 'runtime', 'agent', 'config', 'service'])]).steps.map((s) => [s.id, s.status])).toEqual([
      ['preflight', 'wait'],
      ['installed', 'wait'],
      ['runtime', 'wait'],
      ['agent', 'wait'],
      ['config', 'wait'],
      ['service', 'wait'],
    ]);
    expect(fold([started('r1', 'uninstall-purge', ['stop', 'remove', 'purge'])]).steps.map((s) => s.id)).toEqual(['stop', 'remove', 'purge']);
  });

  it('follows a step through running, bytes and its outcome', () => {
    const log = fold([started('r1', 'install', ['runtime']), { type: 'step-started', runId: 'r1', stepId: 'runtime', title: 'Node.js runtime' }, { type: 'step-progress', runId: 'r1', stepId: 'runtime', bytes: 5, total: 10 }]);
    expect(log.steps[0]).toMatchObject({ status: 'running', bytes: 5, total: 10 });
    expect(fold([finished('r1', 'runtime', 'done')], log).steps[0]).toMatchObject({ status: 'done', durationMs: 12 });
  });

  it('appends a step the plan did not list (rollback after a failure) and still names the failed step', () => {
    const log = fold([started('r1', 'upgrade', ['agent', 'service']), finished('r1', 'agent', 'done'), finished('r1', 'service', 'failed'), { type: 'step-started', runId: 'r1', stepId: 'rollback', title: 'Roll back' }, finished('r1', 'rollback', 'done')]);
    expect(log.steps.map((s) => s.id)).toEqual(['agent', 'service', 'rollback']);
    expect(stoppedStep(log)?.id).toBe('service');
  });

  it('ignores a late event of an earlier run', () => {
    const log = fold([started('r2', 'install', ['agent']), finished('r1', 'agent', 'failed')]);
    expect(log.steps[0]!.status).toBe('wait');
  });

  it('labels every step id a plan uses in both languages, and falls back to the plan’s title for one it does not know', () => {
    for (const locale of ['en', 'zh-CN'] as const) {
      const tr = createTranslator(locale);
      for (const id of ['preflight', 'installed', 'runtime', 'agent', 'config', 'service', 'rollback', 'stop', 'remove', 'purge', 'connect', 'start']) {
        expect(tr.lookup(`provision.step.${id}`), `${locale} provision.step.${id}`).toBeTruthy();
      }
      expect(stepLabel(tr, { id: 'future-step', title: 'A future step' })).toBe('A future step');
    }
    expect(stepLabel(createTranslator('zh-CN'), { id: 'rollback', title: 'Roll back' })).toBe('回滚到上一个正常版本');
  });
});

describe('status reasons', () => {
  it('says why an appliance is not online in the reader’s language, from the watch’s code', () => {
    const zh = createTranslator('zh-CN');
    const en = createTranslator('en');
    expect(reasonText(en, 'agent.not-installed', {}, 'agent not installed')).toBe('The agent is not installed: provision it.');
    expect(reasonText(zh, 'agent.not-installed', {}, 'agent not installed')).toBe('未安装代理程序：请先部署。');
    expect(reasonText(en, 'agent.reports', { code: 'service-flapping', subject: 'kodo', count: 2, detail: '' }, 'x')).toBe('The agent reports 2 problems, first: kodo crashes again and again');
    // ssh.<failure> reuses the connection test's texts, with the failure's parameters.
    expect(reasonText(en, 'ssh.timeout', { endpoint: '10.0.0.5:22', seconds: 10 }, 'timeout')).toBe('No SSH answer from 10.0.0.5:22 within 10 s. The machine may be off, or a firewall drops the traffic.');
    // A code this build does not know: the host's English text; no code: the same.
    expect(reasonText(en, 'agent.something-new', {}, 'new English reason')).toBe('new English reason');
    expect(reasonText(en, null, {}, 'plain')).toBe('plain');
  });
});

describe('bulk runs', () => {
  it('runs at most `concurrency` at once, and a failing worker does not stop the others', async () => {
    let active = 0;
    let peak = 0;
    const done: number[] = [];
    await runBounded(
      Array.from({ length: 10 }, (_, i) => i),
      4,
      async (i) => {
        active++;
        peak = Math.max(peak, active);
        await Promise.resolve();
        await Promise.resolve();
        active--;
        if (i === 3) throw new Error('failed on purpose');
        done.push(i);
      },
      { stopped: () => false, onSkipped: () => undefined },
    );
    expect(peak).toBe(4);
    expect(done.sort((a, b) => a - b)).toEqual([0, 1, 2, 4, 5, 6, 7, 8, 9]);
  });

  it('after Cancel all, starts nothing more and reports every item not started', async () => {
    let stop = false;
    const ran: number[] = [];
    const skipped: number[] = [];
    await runBounded(
      [0, 1, 2, 3, 4, 5],
      2,
      async (i) => {
        ran.push(i);
        if (i === 1) stop = true;
        await Promise.resolve();
      },
      { stopped: () => stop, onSkipped: (i) => skipped.push(i) },
    );
    expect(ran).toEqual([0, 1]);
    expect(skipped).toEqual([2, 3, 4, 5]);
  });
});

describe('formatting', () => {
  it('formats memory in binary units, one decimal from KiB, in the locale’s digits', () => {
    expect(formatMemory(0, 'en')).toBe('0 B');
    expect(formatMemory(1023, 'en')).toBe('1,023 B');
    expect(formatMemory(1536, 'en')).toBe('1.5 KiB');
    expect(formatMemory(8 * 1024 ** 3, 'en')).toBe('8.0 GiB');
    expect(formatMemory(3.5 * 1024 ** 4, 'zh-CN')).toBe('3.5 TiB');
    expect(formatMemory(-1, 'en')).toBe('—');
    expect(formatMemory(Number.NaN, 'en')).toBe('—');
  });

  it('words relative times in the largest whole unit', () => {
    const now = Date.parse('2026-03-01T08:00:00.000Z');
    const ago = (ms: number) => new Date(now - ms).toISOString();
    expect(formatRelativeTime(ago(4_000), now, 'en')).toBe('now');
    expect(formatRelativeTime(ago(42_000), now, 'en')).toBe('42 seconds ago');
    expect(formatRelativeTime(ago(3 * 60_000 + 5_000), now, 'en')).toBe('3 minutes ago');
    expect(formatRelativeTime(ago(5 * 3_600_000), now, 'en')).toBe('5 hours ago');
    expect(formatRelativeTime(ago(3 * 86_400_000), now, 'en')).toBe('3 days ago');
    expect(formatRelativeTime(ago(3 * 60_000), now, 'zh-CN')).toBe('3分钟前');
    expect(formatRelativeTime('not a time', now, 'en')).toBe('not a time');
  });
});

/** The renderer's typed client over the real dispatcher and event bus, in process (no transport). */
function inProcessClient(c: ReturnType<typeof makeConsole>) {
  const bridge: ConsoleBridge = { invoke: (method, input) => c.dispatcher.call(method, input, CTX), subscribe: (listener) => c.events.subscribe(listener) };
  return createTypedClient(bridge);
}

function statusOf(applianceId: string, state: ApplianceStatus['state']): ApplianceStatus {
  const at = '2026-03-01T08:00:00.000Z';
  return { applianceId, state, since: at, reason: state === 'offline' ? 'connection refused' : null, reasonCode: null, reasonParams: {}, checkedAt: at, lastSeenAt: null, agentSeenAt: null, agent: null, clockSkewMs: null, health: null, services: null };
}

describe('status cache', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('folds a burst of status.changed events into the status map in one update, not one per event', async () => {
    const c = makeConsole('status-cache');
    try {
      const client = inProcessClient(c);
      // The client loads the event schemas on the first event (real module loading, not a timer): warm it up first.
      await new Promise<void>((resolve) => {
        const offProbe = client.on('status.changed', () => {
          offProbe();
          resolve();
        });
        c.events.emit('status.changed', statusOf('00000000-0000-4000-8000-00000000ffff', 'unknown'));
      });
      vi.useFakeTimers();
      const queryClient = new QueryClient();
      queryClient.setQueryData<StatusMap>(queryKeys.statusAll, new Map());
      let updates = 0;
      const offCache = queryClient.getQueryCache().subscribe((e) => {
        if (e.type === 'updated' && e.action.type === 'success') updates++;
      });
      const off = subscribeStatusUpdates(client, queryClient);
      const ids = Array.from({ length: 1000 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
      for (const id of ids) c.events.emit('status.changed', statusOf(id, 'offline'));
      await vi.advanceTimersByTimeAsync(1_000);
      const map = queryClient.getQueryData<StatusMap>(queryKeys.statusAll)!;
      expect(map.size).toBe(1000);
      expect(map.get(ids[999]!)?.state).toBe('offline');
      expect(updates).toBe(1);
      // A later change replaces that appliance's entry.
      c.events.emit('status.changed', statusOf(ids[0]!, 'online'));
      await vi.advanceTimersByTimeAsync(1_000);
      expect(queryClient.getQueryData<StatusMap>(queryKeys.statusAll)!.get(ids[0]!)?.state).toBe('online');
      off();
      offCache();
    } finally {
      c.cleanup();
    }
  });

  it('puts a live appliance event on top of its loaded timeline once', () => {
    const queryClient = new QueryClient();
    const id = '00000000-0000-4000-8000-000000000001';
    const event = (n: number) => ({ id: n, applianceId: id, at: '2026-03-01T08:00:00.000Z', kind: 'agent-restarted' as const, message: 'restarted', params: { pid: n } });
    const key = queryKeys.applianceEvents(id);
    // Not loaded: nothing is made up.
    prependEvent(queryClient, event(3));
    expect(queryClient.getQueryData(key)).toBeUndefined();
    queryClient.setQueryData<InfiniteData<EventsPage, number | undefined>>(key, { pages: [{ events: [event(2), event(1)], next: null }], pageParams: [undefined] });
    prependEvent(queryClient, event(3));
    prependEvent(queryClient, event(3));
    expect(queryClient.getQueryData<InfiniteData<EventsPage>>(key)!.pages[0]!.events.map((e) => e.id)).toEqual([3, 2, 1]);
  });
});
