import type { EventPayload } from '../../../../main/contract/api.contract';
import type { Translator } from '../../i18n/translate';

/*
 * The step log's state, apart from its component so plain TypeScript (tests, other dialogs) can
 * use it without JSX. provision-step-log.tsx re-exports all of it.
 */

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
