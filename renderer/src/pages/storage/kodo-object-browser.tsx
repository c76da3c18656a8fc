import { Alert, Breadcrumb, Button, Card, Flex, Popconfirm, Table, Typography, message } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useRef, useState } from 'react';
import { useKodoChange, useKodoObjects } from '../../api/kodo-hooks';
import { QueryErrorAlert } from '../../components/query-error-alert';
import { describeError } from '../../i18n/describe-error';
import { formatCapacity, formatLocalTime } from '../../i18n/format';
import { useI18n } from '../../i18n/i18n-context';
import { KodoObjectLink } from './kodo-object-link';
import { KodoTransferList, useKodoTransfers } from './kodo-transfers';

type Row = { kind: 'folder'; key: string } | { kind: 'object'; key: string; size: number; lastModified: string; contentType: string };

/**
 * One bucket, one folder level at a time ('/' as the delimiter): breadcrumbs back up the prefix,
 * pages through Kodo's continuation token (a stack of the tokens used, for going back to the first
 * page), delete with a confirmation, uploads into the folder shown and downloads through the console
 * with progress and cancel (kodo-transfers.tsx), and presigned links (kodo-object-link.tsx) for
 * tools that go to the appliance directly: a download link per object, an upload target for a new
 * key in the folder shown.
 */
export function KodoObjectBrowser(p: { applianceId: string; bucket: string; onClose(): void }) {
  const translator = useI18n();
  const { t, locale } = translator;
  const [prefix, setPrefix] = useState('');
  const [tokens, setTokens] = useState<string[]>([]);
  const [linkFor, setLinkFor] = useState<{ mode: 'GET' | 'PUT'; key: string } | null>(null);
  const token = tokens.at(-1) ?? null;
  const page = useKodoObjects(p.applianceId, p.bucket, prefix, token);
  const remove = useKodoChange(p.applianceId, 'kodo.deleteObject');
  const transfers = useKodoTransfers(p.applianceId, p.bucket);
  const picker = useRef<HTMLInputElement>(null);
  const go = (next: string) => {
    setPrefix(next);
    setTokens([]);
  };
  const segments = prefix.split('/').filter((s, i, all) => s !== '' || i < all.length - 1);
  const name = (key: string) => key.slice(prefix.length);

  const rows: Row[] = [...(page.data?.commonPrefixes ?? []).map((key) => ({ kind: 'folder' as const, key })), ...(page.data?.objects ?? []).map((o) => ({ kind: 'object' as const, ...o }))];
  const columns: ColumnsType<Row> = [
    {
      key: 'name',
      title: t('kodo.objects.col.name'),
      render: (_, r) =>
        r.kind === 'folder' ? (
          <Typography.Link onClick={() => go(r.key)} data-testid="kodo-object-folder">
            {name(r.key)}
          </Typography.Link>
        ) : (
          <span data-testid="kodo-object-name">{name(r.key)}</span>
        ),
    },
    { key: 'size', title: t('kodo.objects.col.size'), render: (_, r) => (r.kind === 'object' ? formatCapacity(r.size, locale) : t('kodo.objects.folder')) },
    { key: 'modified', title: t('kodo.objects.col.modified'), render: (_, r) => (r.kind === 'object' ? formatLocalTime(r.lastModified) : '') },
    { key: 'type', title: t('kodo.objects.col.type'), render: (_, r) => (r.kind === 'object' ? r.contentType : '') },
    {
      key: 'actions',
      title: '',
      render: (_, r) =>
        r.kind === 'object' && (
          <Flex gap={4}>
          <Button size="small" onClick={() => transfers.download(r.key, r.size)} data-testid="kodo-object-download">
            {t('kodo.transfers.downloadButton')}
          </Button>
          <Button size="small" onClick={() => setLinkFor({ mode: 'GET', key: r.key })} data-testid="kodo-object-link-button">
            {t('kodo.link.download')}
          </Button>
          <Popconfirm
            title={t('kodo.objects.deleteConfirm', { key: r.key })}
            okText={t('kodo.objects.delete')}
            cancelText={t('kodo.cancel')}
            okButtonProps={{ danger: true }}
            onConfirm={() => remove.mutateAsync({ bucket: p.bucket, key: r.key }).catch((err: unknown) => void message.error(describeError(translator, err)))}
          >
            <Button size="small" danger>
              {t('kodo.objects.delete')}
            </Button>
          </Popconfirm>
          </Flex>
        ),
    },
  ];

  return (
    <Card size="small" title={t('kodo.objects.title', { bucket: p.bucket })} extra={<Button size="small" onClick={p.onClose}>{t('kodo.objects.close')}</Button>} data-testid="kodo-objects">
      <Flex vertical gap={8}>
        <Breadcrumb
          items={[
            { title: <Typography.Link onClick={() => go('')}>{t('kodo.objects.root')}</Typography.Link> },
            ...segments.map((s, i) => ({ title: <Typography.Link onClick={() => go(`${segments.slice(0, i + 1).join('/')}/`)}>{s}</Typography.Link> })),
          ]}
        />
        {page.isError && <QueryErrorAlert error={page.error} onRetry={() => void page.refetch()} />}
        <Table<Row> size="small" rowKey={(r) => `${r.kind}:${r.key}`} columns={columns} dataSource={rows} loading={page.isFetching} pagination={false} locale={{ emptyText: t('kodo.objects.empty') }} />
        <Flex gap={8}>
          <Button size="small" disabled={tokens.length === 0} onClick={() => setTokens([])}>
            {t('kodo.objects.first')}
          </Button>
          <Button size="small" type="primary" onClick={() => picker.current?.click()} data-testid="kodo-upload-button">
            {t('kodo.transfers.uploadButton')}
          </Button>
          <input
            ref={picker}
            type="file"
            multiple
            hidden
            data-testid="kodo-upload-input"
            onChange={(e) => {
              transfers.upload(Array.from(e.target.files ?? []), prefix);
              e.target.value = ''; // the same file may be chosen again
            }}
          />
          <Button size="small" onClick={() => setLinkFor({ mode: 'PUT', key: prefix })} data-testid="kodo-upload-link-button">
            {t('kodo.link.upload')}
          </Button>
          <Button size="small" disabled={!page.data?.nextContinuationToken} onClick={() => page.data?.nextContinuationToken && setTokens((s) => [...s, page.data!.nextContinuationToken!])} data-testid="kodo-objects-next">
            {t('kodo.objects.more')}
          </Button>
        </Flex>
        <KodoTransferList transfers={transfers.transfers} onCancel={transfers.cancel} onClear={transfers.clear} />
        <Alert type="info" showIcon title={t('kodo.objects.transferHint')} />
      </Flex>
      {linkFor && <KodoObjectLink applianceId={p.applianceId} bucket={p.bucket} mode={linkFor.mode} objectKey={linkFor.key} onClose={() => setLinkFor(null)} />}
    </Card>
  );
}
