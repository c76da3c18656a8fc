import { Progress, Steps } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import type { EventPayload } from '../../../../main/contract/api.contract';
import { useApiClient } from '../../api/api-context';
import { useI18n } from '../../i18n/i18n-context';
import type { Translator } from '../../i18n/translate';

export type ProvisionEvent = EventPayload<'provision.progress'>['event'];
export type StepStatus = 'wait' | 'running' | 'done' | 'unchanged' | 'failed' | 'cancelled';
export interface StepState {
  id: string;
  /** The plan's English title: shown only for a step id this build has no label for. */
  title: string;
  status: StepStatus;
  durationMs?: number;
  bytes?: number;
  total?: number;
}
/** One run's steps in order; the plan (install, upgrade, uninstall…) comes from `run-started`. */
export interface StepLog {
  runId: string | null;
  plan: string | null;
  steps: StepState[];
}

export const emptyStepLog = (): StepLog => ({ runId: null, plan: null, steps: [] });

/**
 * Folds one `provision.progress` event into the log. The step list is whatever the run announced,
 * so upgrade (`installed`) and uninstall (`stop`, `remove`, `purge`) show without the UI knowing
 * plans; steps that only happen on failure (`rollback`) or before a plan exists (`connect`,
 * `start`) are appended when they start.
 */
export function applyProvisionEvent(log: StepLog, e: ProvisionEvent): StepLog {
  if (e.type === 'run-started') {
    return { runId: e.runId, plan: e.plan, steps: e.steps.map((s) => ({ id: s.id, title: s.title, status: 'wait' })) };
  }
  // Events of an older run (a late event after "Run again") must not overwrite the new one.
  if (log.runId !== null && e.runId !== log.runId) return log;
  if (e.type === 'run-finished') return log;
  const update = (patch: (s: StepState) => StepState, title?: string): StepLog => {
    const i = log.steps.findIndex((s) => s.id === e.stepId);
    const found = log.steps[i];
    if (!found) return { ...log, runId: e.runId, steps: [...log.steps, patch({ id: e.stepId, title: title ?? e.stepId, status: 'wait' })] };
    const steps = log.steps.slice();
    steps[i] = patch(found);
    return { ...log, steps };
  };
  if (e.type === 'step-started') return update((s) => ({ id: s.id, title: e.title, status: 'running' }), e.title);
  if (e.type === 'step-progress') return update((s) => ({ ...s, status: 'running', bytes: e.bytes, total: e.total }));
  return update((s) => ({ id: s.id, title: s.title, status: e.status, durationMs: e.durationMs }));
}

/** The step where the run stopped (failed or cancelled); a rollback after it does not hide it. */
export function stoppedStep(log: StepLog): StepState | undefined {
  return log.steps.find((s) => (s.status === 'failed' || s.status === 'cancelled') && s.id !== 'rollback') ?? log.steps.find((s) => s.status === 'failed' || s.status === 'cancelled');
}

/** A step's label in the viewer's language; the plan's own title for an id this build does not know. */
export function stepLabel(translator: Translator, step: Pick<StepState, 'id' | 'title'>): string {
  return translator.lookup(`provision.step.${step.id}`) ?? step.title;
}

/**
 * The run in progress on one appliance, from `provision.progress` events. `reset` clears it before
 * starting another run (the dialog's "Run again").
 */
export function useProvisionStepLog(applianceId: string): { log: StepLog; reset(): void } {
  const client = useApiClient();
  const [log, setLog] = useState(emptyStepLog);
  useEffect(
    () =>
      client.on('provision.progress', ({ applianceId: id, event }) => {
        if (id === applianceId) setLog((cur) => applyProvisionEvent(cur, event));
      }),
    [client, applianceId],
  );
  const reset = useCallback(() => setLog(emptyStepLog()), []);
  return { log, reset };
}

/** The steps of one run: state, duration, and bytes with a bar while an upload runs. */
export function ProvisionStepLog({ log }: { log: StepLog }) {
  const translator = useI18n();
  const { t, locale } = translator;
  const seconds = (ms: number) => (ms / 1000).toLocaleString(locale, { maximumFractionDigits: 1 });
  const mb = (bytes: number) => (bytes / 1e6).toLocaleString(locale, { maximumFractionDigits: 1 });
  return (
    <Steps
      direction="vertical"
      size="small"
      data-testid="provision-step-log"
      items={log.steps.map((s) => {
        const detail =
          s.status === 'running' && s.total
            ? t('provision.bytes', { done: mb(s.bytes ?? 0), total: mb(s.total) })
            : s.status === 'wait' || s.status === 'running'
              ? undefined
              : `${t(`provision.status.${s.status}`)}${s.durationMs !== undefined ? ` · ${t('provision.seconds', { seconds: seconds(s.durationMs) })}` : ''}`;
        return {
          key: s.id,
          title: stepLabel(translator, s),
          status: s.status === 'running' ? 'process' : s.status === 'failed' || s.status === 'cancelled' ? 'error' : s.status === 'wait' ? 'wait' : 'finish',
          description: (
            <span data-testid={`provision-step-${s.id}`} data-status={s.status}>
              {detail}
              {s.status === 'running' && s.total ? <Progress percent={Math.floor(((s.bytes ?? 0) / s.total) * 100)} size="small" /> : null}
            </span>
          ),
        };
      })}
    />
  );
}
