import { Alert, Button, Checkbox, Descriptions, Flex, Form, Input, Modal, Popconfirm, Select, Table, Typography, message } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useState } from 'react';
import type { MethodOutput } from '../../../../main/contract/api.contract';
import { useKodoChange, useKodoKeys } from '../../api/kodo-hooks';
import { QueryErrorAlert } from '../../components/query-error-alert';
import { describeError } from '../../i18n/describe-error';
import { useI18n } from '../../i18n/i18n-context';

type Key = MethodOutput<'kodo.listKeys'>['keys'][number];
type Created = MethodOutput<'kodo.createKey'>;

/**
 * Access keys: list, revoke (confirmed), create. A new key's secret is shown once in a dialog with
 * a copy button; it lives only in this component's state until the dialog closes, never in a query
 * cache or the console's store.
 */
export function KodoKeys(p: { applianceId: string; buckets: string[] }) {
  const translator = useI18n();
  const { t } = translator;
  const keys = useKodoKeys(p.applianceId, true);
  const create = useKodoChange(p.applianceId, 'kodo.createKey');
  const revoke = useKodoChange(p.applianceId, 'kodo.revokeKey');
  const [open, setOpen] = useState(false);
  const [created, setCreated] = useState<Created | null>(null);
  const [form, setForm] = useState<{ bucket: string | null; readOnly: boolean; description: string }>({ bucket: null, readOnly: false, description: '' });
  const fail = (err: unknown) => void message.error(describeError(translator, err));

  const columns: ColumnsType<Key> = [
    { key: 'id', title: t('kodo.keys.col.id'), render: (_, k) => <Typography.Text code>{k.accessKeyId}</Typography.Text> },
    { key: 'bucket', title: t('kodo.keys.col.bucket'), render: (_, k) => k.bucket ?? t('kodo.keys.allBuckets') },
    { key: 'access', title: t('kodo.keys.col.access'), render: (_, k) => t(`kodo.keys.access.${k.access}`) },
    { key: 'description', title: t('kodo.keys.col.description'), render: (_, k) => k.description || '—' },
    {
      key: 'actions',
      title: '',
      render: (_, k) => (
        <Popconfirm title={t('kodo.keys.revokeConfirm', { id: k.accessKeyId })} okText={t('kodo.keys.revoke')} cancelText={t('kodo.cancel')} okButtonProps={{ danger: true }} onConfirm={() => revoke.mutateAsync({ accessKeyId: k.accessKeyId }).catch(fail)}>
          <Button size="small" danger data-testid={`kodo-key-revoke-${k.accessKeyId}`}>
            {t('kodo.keys.revoke')}
          </Button>
        </Popconfirm>
      ),
    },
  ];

  return (
    <Flex vertical gap={8} data-testid="kodo-keys">
      <Flex justify="space-between" align="center">
        <Typography.Title level={5} style={{ margin: 0 }}>
          {t('kodo.keys.title')}
        </Typography.Title>
        <Button onClick={() => setOpen((v) => !v)} data-testid="kodo-key-create-open">
          {t('kodo.keys.create')}
        </Button>
      </Flex>
      {open && (
        <Form layout="inline" onFinish={() =>
            create.mutateAsync(form).then((r) => {
              setCreated(r);
              setOpen(false);
              // The secret stays in this dialog's state only, not in the mutation's cached answer.
              create.reset();
            }, fail)
          }>
          <Form.Item label={t('kodo.keys.col.bucket')}>
            <Select
              style={{ minWidth: 160 }}
              value={form.bucket ?? ''}
              options={[{ value: '', label: t('kodo.keys.allBuckets') }, ...p.buckets.map((b) => ({ value: b, label: b }))]}
              onChange={(v: string) => setForm((f) => ({ ...f, bucket: v || null }))}
            />
          </Form.Item>
          <Form.Item>
            <Checkbox checked={form.readOnly} onChange={(e) => setForm((f) => ({ ...f, readOnly: e.target.checked }))}>
              {t('kodo.keys.readOnly')}
            </Checkbox>
          </Form.Item>
          <Form.Item label={t('kodo.keys.description')}>
            <Input maxLength={200} value={form.description} onChange={(e) => setForm((f) => ({ ...f, description: e.target.value }))} />
          </Form.Item>
          <Button type="primary" htmlType="submit" loading={create.isPending} data-testid="kodo-key-create">
            {t('kodo.keys.create')}
          </Button>
        </Form>
      )}
      {keys.isError && <QueryErrorAlert error={keys.error} onRetry={() => void keys.refetch()} />}
      <Table<Key> size="small" rowKey="accessKeyId" columns={columns} dataSource={keys.data?.keys ?? []} loading={keys.isPending} pagination={false} locale={{ emptyText: t('kodo.keys.empty') }} />
      {/* destroyOnHidden: a closed antd Modal otherwise keeps its last content (the secret) in the DOM. */}
      <Modal
        open={created !== null}
        destroyOnHidden
        title={t('kodo.keys.secretTitle')}
        closable={false}
        maskClosable={false}
        footer={
          <Button type="primary" onClick={() => setCreated(null)} data-testid="kodo-key-secret-done">
            {t('kodo.keys.done')}
          </Button>
        }
      >
        {created && (
          <Flex vertical gap={12} data-testid="kodo-key-secret">
            <Alert type="warning" showIcon title={t('kodo.keys.secretOnce')} />
            <Descriptions size="small" column={1} bordered>
              <Descriptions.Item label={t('kodo.keys.endpoint')}>
                <Typography.Text copyable={{ tooltips: [t('kodo.keys.copy'), t('kodo.keys.copied')] }}>{created.endpoint}</Typography.Text>
              </Descriptions.Item>
              <Descriptions.Item label={t('kodo.keys.col.id')}>
                <Typography.Text code copyable={{ tooltips: [t('kodo.keys.copy'), t('kodo.keys.copied')] }}>
                  {created.key.accessKeyId}
                </Typography.Text>
              </Descriptions.Item>
              <Descriptions.Item label={t('kodo.keys.secret')}>
                <Typography.Text code copyable={{ tooltips: [t('kodo.keys.copy'), t('kodo.keys.copied')] }} data-testid="kodo-key-secret-value">
                  {created.secretKey}
                </Typography.Text>
              </Descriptions.Item>
            </Descriptions>
          </Flex>
        )}
      </Modal>
    </Flex>
  );
}
