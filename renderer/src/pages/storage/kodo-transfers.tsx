import { Button, Flex, Progress, Typography } from 'antd';
import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useApiClient } from '../../api/api-context';
import { kodoKeys } from '../../api/kodo-hooks';
import { saveBlob } from '../../api/browser-files';
import { downloadObject, TransferCancelled, uploadFile } from '../../api/kodo-transfer-runner';
import { describeError } from '../../i18n/describe-error';
import { formatCapacity, formatDuration, formatRate } from '../../i18n/format';
import { useI18n } from '../../i18n/i18n-context';

/**
 * The object browser's uploads and downloads (kodo-transfer-runner.ts moves the bytes): a queue run
 * one transfer at a time — the link to the machine is one SSH connection, two at once would only
 * share it — each with its progress, rate, time left and a cancel button; finished ones stay listed
 * (done, failed with the reason, cancelled) until cleared.
 */

type State = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

export interface Transfer {
  id: number;
  kind: 'upload' | 'download';
  key: string;
  bytes: number;
  total: number;
  state: State;
  error: unknown;
  startedAt: number | null;
  endedAt: number | null;
}

interface Job {
  transfer: Transfer;
  run: (onProgress: (bytes: number, total: number) => void, signal: AbortSignal) => Promise<void>;
  abort: AbortController;
}

export function useKodoTransfers(applianceId: string, bucket: string) {
  const client = useApiClient();
  const queryClient = useQueryClient();
  const [transfers, setTransfers] = useState<Transfer[]>([]);
  const jobs = useRef<Job[]>([]);
  /** Every transfer's abort, queued or running: cancel and leaving the page use them. */
  const aborts = useRef(new Map<number, AbortController>());
  const running = useRef(false);
  const nextId = useRef(1);

  const update = useCallback((id: number, change: Partial<Transfer>) => setTransfers((all) => all.map((t) => (t.id === id ? { ...t, ...change } : t))), []);

  const pump = useCallback(async () => {
    if (running.current) return;
    running.current = true;
    try {
      for (let job = jobs.current.shift(); job; job = jobs.current.shift()) {
        const { id } = job.transfer;
        if (job.abort.signal.aborted) continue;
        update(id, { state: 'running', startedAt: Date.now() });
        try {
          await job.run((bytes, total) => update(id, { bytes, total }), job.abort.signal);
          update(id, { state: 'done', endedAt: Date.now() });
        } catch (err) {
          update(id, err instanceof TransferCancelled ? { state: 'cancelled', endedAt: Date.now() } : { state: 'failed', error: err, endedAt: Date.now() });
        }
        if (job.transfer.kind === 'upload') void queryClient.invalidateQueries({ queryKey: kodoKeys.all(applianceId) });
      }
    } finally {
      running.current = false;
    }
  }, [applianceId, queryClient, update]);

  const enqueue = useCallback(
    (kind: Transfer['kind'], key: string, total: number, run: Job['run']) => {
      const transfer: Transfer = { id: nextId.current++, kind, key, bytes: 0, total, state: 'queued', error: null, startedAt: null, endedAt: null };
      const abort = new AbortController();
      aborts.current.set(transfer.id, abort);
      jobs.current.push({ transfer, run, abort });
      setTransfers((all) => [...all, transfer]);
      void pump();
    },
    [pump],
  );

  const upload = useCallback(
    (files: File[], prefix: string) => {
      for (const file of files) {
        enqueue('upload', prefix + file.name, file.size, async (onProgress, signal) => {
          await uploadFile(client, { applianceId, bucket, key: prefix + file.name }, file, (p) => onProgress(p.bytes, p.total), signal);
        });
      }
    },
    [applianceId, bucket, client, enqueue],
  );
  const download = useCallback(
    (key: string, size: number) => {
      enqueue('download', key, size, async (onProgress, signal) => {
        const blob = await downloadObject(client, { applianceId, bucket, key }, (p) => onProgress(p.bytes, p.total), signal);
        saveBlob(blob, key.slice(key.lastIndexOf('/') + 1));
      });
    },
    [applianceId, bucket, client, enqueue],
  );
  const cancel = useCallback(
    (id: number) => {
      aborts.current.get(id)?.abort();
      // A queued one never starts; a running one stops at its next chunk.
      setTransfers((all) => all.map((t) => (t.id === id && t.state === 'queued' ? { ...t, state: 'cancelled' } : t)));
    },
    [],
  );
  const clear = useCallback(() => setTransfers((all) => all.filter((t) => t.state === 'queued' || t.state === 'running')), []);

  // Leaving the page (or the bucket) cancels what is still going.
  useEffect(() => {
    const open = aborts.current;
    return () => {
      for (const a of open.values()) a.abort();
    };
  }, []);

  return { transfers, upload, download, cancel, clear };
}

export function KodoTransferList(p: { transfers: Transfer[]; onCancel(id: number): void; onClear(): void }) {
  const translator = useI18n();
  const { t, locale } = translator;
  if (p.transfers.length === 0) return null;
  const finished = p.transfers.some((x) => x.state !== 'queued' && x.state !== 'running');
  return (
    <Flex vertical gap={4} data-testid="kodo-transfers">
      <Flex justify="space-between" align="center">
        <Typography.Text strong>{t('kodo.transfers.title')}</Typography.Text>
        {finished && (
          <Button size="small" type="link" onClick={p.onClear}>
            {t('kodo.transfers.clear')}
          </Button>
        )}
      </Flex>
      {p.transfers.map((x) => {
        const percent = x.total > 0 ? Math.floor((x.bytes / x.total) * 100) : x.state === 'done' ? 100 : 0;
        const elapsed = x.startedAt === null ? 0 : (x.endedAt ?? Date.now()) - x.startedAt;
        const rate = elapsed > 0 ? (x.bytes / elapsed) * 1000 : 0;
        const left = x.state === 'running' && rate > 0 ? ((x.total - x.bytes) / rate) * 1000 : null;
        const status = x.state === 'failed' ? 'exception' : x.state === 'done' ? 'success' : x.state === 'running' ? 'active' : 'normal';
        return (
          <Flex key={x.id} vertical gap={0} data-testid="kodo-transfer" data-state={x.state} data-kind={x.kind}>
            <Flex justify="space-between" align="center" gap={8}>
              <Typography.Text ellipsis style={{ maxWidth: 480 }}>
                {t(x.kind === 'upload' ? 'kodo.transfers.upload' : 'kodo.transfers.download', { key: x.key })}
              </Typography.Text>
              <Flex gap={8} align="center">
                <Typography.Text type="secondary" data-testid="kodo-transfer-figures">
                  {t('kodo.transfers.figures', { done: formatCapacity(x.bytes, locale), total: formatCapacity(x.total, locale) })}
                  {rate > 0 && ` · ${formatRate(rate, locale)}`}
                  {left !== null && ` · ${t('kodo.transfers.left', { time: formatDuration(left, locale) })}`}
                </Typography.Text>
                <Typography.Text data-testid="kodo-transfer-state">{t(`kodo.transfers.state.${x.state}`)}</Typography.Text>
                {(x.state === 'queued' || x.state === 'running') && (
                  <Button size="small" onClick={() => p.onCancel(x.id)} data-testid="kodo-transfer-cancel">
                    {t('kodo.cancel')}
                  </Button>
                )}
              </Flex>
            </Flex>
            <Progress percent={percent} size="small" status={status} showInfo={false} />
            {x.state === 'failed' && <Typography.Text type="danger">{describeError(translator, x.error)}</Typography.Text>}
          </Flex>
        );
      })}
    </Flex>
  );
}
