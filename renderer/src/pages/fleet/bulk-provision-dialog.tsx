import { Alert, Button, Modal, Progress, Space, Table, Tag, Typography } from 'antd';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useRef, useState, type HTMLAttributes } from 'react';
import type { Appliance } from '../../../../main/contract/fleet.contract';
import { useApiClient } from '../../api/api-context';
import { callProvisionAction, type ProvisionRun } from '../../api/provision-hooks';
import { queryKeys } from '../../api/query-keys';
import { describeError } from '../../i18n/describe-error';
import { useI18n } from '../../i18n/i18n-context';
import { reasonText } from '../../i18n/reason-text';
import type { Translator } from '../../i18n/translate';
import { runBounded } from './bulk-run';
import { applyProvisionEvent, emptyStepLog, stepLabel, stoppedStep, type StepLog } from './provision-step-log';

/** Appliances worked on at once: enough to overlap uploads and waits, few enough for a laptop's uplink. */
export const BULK_CONCURRENCY = 4;

export type BulkKind = 'provision' | 'upgrade';
type ItemState = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';
interface Item {
  state: ItemState;
  log: StepLog;
  /** Why it failed, in the viewer's words where the console has them (an ApiError), else the machine's. */
  reason?: string;
  /** The run's failure code and params (`ssh.*`, `preflight.not-ready`…), worded when shown. */
  errorCode?: string | null;
  errorParams?: Record<string, string | number>;
  durationMs?: number;
}

const STATE_COLORS: Record<ItemState, string> = { queued: 'default', running: 'processing', succeeded: 'success', failed: 'error', cancelled: 'warning' };

const initialItems = (appliances: readonly Appliance[]): Record<string, Item> => Object.fromEntries(appliances.map((a) => [a.id, { state: 'queued', log: emptyStepLog() }]));

/**
 * Provision or upgrade many appliances from the Fleet page: at most BULK_CONCURRENCY at once (calls
 * made from here, so closing the console's window is what stops it), each row live from that
 * appliance's `provision.progress` events, Cancel all (queued ones are not started, running ones
 * are cancelled on the machine), and a summary with every failure's reason at the end.
 */
export function BulkProvisionDialog({ appliances, kind, onClose }: { appliances: readonly Appliance[]; kind: BulkKind; onClose(): void }) {
  const translator = useI18n();
  const { t, tp, locale } = translator;
  const client = useApiClient();
  const queryClient = useQueryClient();
  const [items, setItems] = useState(() => initialItems(appliances));
  const [running, setRunning] = useState(true);
  const [cancelling, setCancelling] = useState(false);
  const cancelRequested = useRef(false);
  // The run starts once per opening, with the appliances it was opened with.
  const started = useRef(false);
  const runList = useRef(appliances);

  useEffect(() => {
    const ids = new Set(runList.current.map((a) => a.id));
    const off = client.on('provision.progress', ({ applianceId, event }) => {
      if (!ids.has(applianceId)) return;
      setItems((cur) => {
        const item = cur[applianceId];
        return item ? { ...cur, [applianceId]: { ...item, log: applyProvisionEvent(item.log, event) } } : cur;
      });
    });
    if (!started.current) {
      started.current = true;
      const patch = (id: string, p: Partial<Item>) => setItems((cur) => ({ ...cur, [id]: { ...cur[id]!, ...p } }));
      void runBounded(
        runList.current,
        BULK_CONCURRENCY,
        async (a) => {
          patch(a.id, { state: 'running', log: emptyStepLog() });
          try {
            const run = await callProvisionAction(client, a.id, { kind });
            patch(a.id, outcome(run));
          } catch (err) {
            patch(a.id, { state: 'failed', reason: describeError(translator, err) });
          }
        },
        { stopped: () => cancelRequested.current, onSkipped: (a) => patch(a.id, { state: 'cancelled' }) },
      ).then(() => {
        setRunning(false);
        void queryClient.invalidateQueries({ queryKey: queryKeys.audit });
        void queryClient.invalidateQueries({ queryKey: queryKeys.status });
      });
    }
    return off;
    // translator: a language switch mid-run changes only how later failures are worded.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [client, kind, queryClient]);

  const cancelAll = () => {
    cancelRequested.current = true;
    setCancelling(true);
    const inFlight = Object.entries(items).filter(([, item]) => item.state === 'running');
    void Promise.allSettled(inFlight.map(([id]) => client.call('provision.cancel', { id })));
  };

  const counts = useMemo(() => {
    const c: Record<ItemState, number> = { queued: 0, running: 0, succeeded: 0, failed: 0, cancelled: 0 };
    for (const item of Object.values(items)) c[item.state]++;
    return c;
  }, [items]);

  const seconds = (ms: number) => (ms / 1000).toLocaleString(locale, { maximumFractionDigits: 1 });
  const rows = runList.current.map((a) => ({ appliance: a, item: items[a.id]! }));
  const failures = rows.filter((r) => r.item.state === 'failed');

  return (
    <Modal
      open
      width={880}
      title={tp(kind === 'upgrade' ? 'bulk.upgradeTitle' : 'bulk.provisionTitle', { count: appliances.length })}
      onCancel={running ? undefined : onClose}
      closable={!running}
      maskClosable={false}
      footer={[
        running ? (
          <Button key="cancel" danger loading={cancelling} disabled={cancelling} onClick={cancelAll} data-testid="bulk-cancel-all">
            {cancelling ? t('bulk.cancelling') : t('bulk.cancelAll')}
          </Button>
        ) : null,
        <Button key="close" type="primary" onClick={onClose} disabled={running} data-testid="bulk-close">
          {t('connection.close')}
        </Button>,
      ]}
    >
      <Space direction="vertical" style={{ width: '100%' }} data-testid="bulk-dialog" data-running={running ? 'true' : 'false'}>
        <Typography.Text type="secondary">{t('bulk.concurrency', { concurrency: BULK_CONCURRENCY })}</Typography.Text>
        <Table
          size="small"
          pagination={false}
          virtual
          scroll={{ y: 360 }}
          rowKey={(r) => r.appliance.id}
          dataSource={rows}
          onRow={(r) => ({ 'data-testid': 'bulk-row', 'data-appliance': r.appliance.name, 'data-state': r.item.state }) as HTMLAttributes<HTMLElement>}
          columns={[
            { key: 'name', title: t('bulk.column.appliance'), width: 180, render: (_, r) => r.appliance.name },
            { key: 'step', title: t('bulk.column.step'), width: 220, render: (_, r) => currentStepText(translator, r.item) },
            { key: 'progress', title: t('bulk.column.progress'), width: 170, render: (_, r) => <StepProgress item={r.item} /> },
            {
              key: 'result',
              title: t('bulk.column.result'),
              render: (_, r) => (
                <Space size={4} wrap>
                  <Tag color={STATE_COLORS[r.item.state]} style={{ marginInlineEnd: 0 }}>
                    {t(`bulk.state.${r.item.state}`)}
                  </Tag>
                  {r.item.durationMs !== undefined && <Typography.Text type="secondary">{t('bulk.seconds', { seconds: seconds(r.item.durationMs) })}</Typography.Text>}
                </Space>
              ),
            },
          ]}
        />
        {!running && (
          <Alert
            type={counts.failed > 0 ? 'error' : counts.cancelled > 0 ? 'warning' : 'success'}
            showIcon
            data-testid="bulk-summary"
            title={t('bulk.summary', { succeeded: counts.succeeded, failed: counts.failed, cancelled: counts.cancelled })}
            description={
              failures.length > 0 ? (
                <ul style={{ margin: 0, paddingInlineStart: 18, maxHeight: 160, overflow: 'auto' }} data-testid="bulk-failures">
                  {failures.map((r) => (
                    <li key={r.appliance.id}>
                      <strong>{r.appliance.name}</strong>: {failureText(translator, r.item)}
                    </li>
                  ))}
                </ul>
              ) : undefined
            }
          />
        )}
      </Space>
    </Modal>
  );
}

function outcome(run: ProvisionRun): Partial<Item> {
  if (run.status === 'succeeded') return { state: 'succeeded', durationMs: run.durationMs };
  if (run.status === 'cancelled') return { state: 'cancelled', durationMs: run.durationMs };
  return { state: 'failed', durationMs: run.durationMs, reason: run.error ?? undefined, errorCode: run.errorCode, errorParams: run.errorParams };
}

/** The step running now; when finished, the step it stopped at (or nothing). */
function currentStepText(translator: Translator, item: Item): string {
  const running = item.log.steps.find((s) => s.status === 'running');
  if (running) return stepLabel(translator, running);
  if (item.state === 'failed' || item.state === 'cancelled') {
    const stopped = stoppedStep(item.log);
    return stopped ? stepLabel(translator, stopped) : '';
  }
  return '';
}

function failureText(translator: Translator, item: Item): string {
  const stopped = stoppedStep(item.log);
  const reason = reasonText(translator, item.errorCode, item.errorParams ?? {}, item.reason ?? null) ?? '';
  return stopped ? translator.t('bulk.failedAt', { step: stepLabel(translator, stopped), reason }) : reason;
}

/** Steps finished of the run's plan, with the running step's upload counted in part. */
function StepProgress({ item }: { item: Item }) {
  const { t } = useI18n();
  const steps = item.log.steps;
  if (steps.length === 0) return null;
  const finished = steps.filter((s) => s.status !== 'wait' && s.status !== 'running').length;
  const running = steps.find((s) => s.status === 'running');
  const partial = running?.total ? (running.bytes ?? 0) / running.total : 0;
  const percent = Math.floor(((finished + partial) / steps.length) * 100);
  const failed = item.state === 'failed' || item.state === 'cancelled';
  return (
    <div title={t('bulk.stepsDone', { done: finished, total: steps.length })}>
      <Progress percent={item.state === 'succeeded' ? 100 : percent} size="small" status={failed ? 'exception' : item.state === 'running' ? 'active' : undefined} />
    </div>
  );
}
