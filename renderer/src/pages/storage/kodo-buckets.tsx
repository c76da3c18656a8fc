import { Button, Checkbox, Flex, Form, Input, Popconfirm, Switch, Table, Typography, message } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useState } from 'react';
import type { KodoStatusView } from '../../../../main/contract/kodo.contract';
import { useKodoChange } from '../../api/kodo-hooks';
import { describeError } from '../../i18n/describe-error';
import { formatCapacity, formatCount } from '../../i18n/format';
import { useI18n } from '../../i18n/i18n-context';

type Bucket = KodoStatusView['buckets'][number];

/** Buckets with their last scan's usage, the public-read switch, browse, delete (only an empty one), and a create form. */
export function KodoBuckets(p: { applianceId: string; buckets: Bucket[]; onBrowse(name: string): void }) {
  const translator = useI18n();
  const { t, locale } = translator;
  const create = useKodoChange(p.applianceId, 'kodo.createBucket');
  const remove = useKodoChange(p.applianceId, 'kodo.deleteBucket');
  const publicRead = useKodoChange(p.applianceId, 'kodo.setPublicRead');
  const [name, setName] = useState('');
  const [open, setOpen] = useState(false);
  const fail = (err: unknown) => void message.error(describeError(translator, err));
  const scanned = (v: number | null, f: (n: number) => string) => (v === null ? <Typography.Text type="secondary">{t('kodo.buckets.notScanned')}</Typography.Text> : f(v));

  const columns: ColumnsType<Bucket> = [
    { key: 'name', title: t('kodo.buckets.col.name'), render: (_, b) => <Typography.Text strong>{b.name}</Typography.Text> },
    { key: 'objects', title: t('kodo.buckets.col.objects'), render: (_, b) => scanned(b.objects, (n) => formatCount(n, locale)) },
    { key: 'logical', title: t('kodo.buckets.col.logical'), render: (_, b) => scanned(b.logicalBytes, (n) => formatCapacity(n, locale)) },
    { key: 'raw', title: t('kodo.buckets.col.raw'), render: (_, b) => scanned(b.rawBytes, (n) => formatCapacity(n, locale)) },
    {
      key: 'public',
      title: t('kodo.buckets.col.publicRead'),
      render: (_, b) => (
        <Switch size="small" checked={b.publicRead} loading={publicRead.isPending && publicRead.variables?.name === b.name} onChange={(v) => publicRead.mutateAsync({ name: b.name, publicRead: v }).catch(fail)} data-testid={`kodo-bucket-public-${b.name}`} />
      ),
    },
    {
      key: 'actions',
      title: '',
      render: (_, b) => (
        <Flex gap={8}>
          <Button size="small" onClick={() => p.onBrowse(b.name)} data-testid={`kodo-bucket-browse-${b.name}`}>
            {t('kodo.buckets.browse')}
          </Button>
          <Popconfirm title={t('kodo.buckets.deleteConfirm', { name: b.name })} okText={t('kodo.confirm')} cancelText={t('kodo.cancel')} onConfirm={() => remove.mutateAsync({ name: b.name }).catch(fail)}>
            <Button size="small" danger data-testid={`kodo-bucket-delete-${b.name}`}>
              {t('kodo.buckets.delete')}
            </Button>
          </Popconfirm>
        </Flex>
      ),
    },
  ];

  return (
    <Flex vertical gap={8} data-testid="kodo-buckets">
      <Flex justify="space-between" align="center">
        <Typography.Title level={5} style={{ margin: 0 }}>
          {t('kodo.buckets.title')}
        </Typography.Title>
        <Button onClick={() => setOpen((v) => !v)} data-testid="kodo-bucket-create-open">
          {t('kodo.buckets.create')}
        </Button>
      </Flex>
      {open && (
        <Form
          layout="inline"
          onFinish={(v: { publicRead?: boolean }) =>
            create.mutateAsync({ name, publicRead: v.publicRead === true }).then(() => {
              setName('');
              setOpen(false);
            }, fail)
          }
        >
          <Form.Item label={t('kodo.buckets.name')}>
            <Input value={name} onChange={(e) => setName(e.target.value.trim())} maxLength={63} data-testid="kodo-bucket-name" />
          </Form.Item>
          <Form.Item name="publicRead" valuePropName="checked">
            <Checkbox>{t('kodo.buckets.publicRead')}</Checkbox>
          </Form.Item>
          <Button type="primary" htmlType="submit" loading={create.isPending} disabled={name.length < 3} data-testid="kodo-bucket-create">
            {t('kodo.buckets.create')}
          </Button>
        </Form>
      )}
      <Table<Bucket> size="small" rowKey="name" columns={columns} dataSource={p.buckets} pagination={false} locale={{ emptyText: t('kodo.buckets.empty') }} />
    </Flex>
  );
}
