import { Alert, Button, Flex, Input, Modal, Segmented, Typography } from 'antd';
import { useState } from 'react';
import type { MethodOutput } from '../../../../main/contract/api.contract';
import { useKodoChange } from '../../api/kodo-hooks';
import { describeError } from '../../i18n/describe-error';
import { formatLocalTime } from '../../i18n/format';
import { useI18n } from '../../i18n/i18n-context';

/** Link lifetimes offered, in seconds: an hour, a day, a week (SigV4's longest). */
const EXPIRIES = [3600, 86_400, 604_800] as const;

/**
 * A presigned link for one object, signed on the appliance with Kodo's link key (the console holds
 * no Kodo secret): a download link (GET) for an object, or an upload target (PUT) for a new key
 * under the folder shown, with the curl line that uses it. Revoking the "Presigned links" key on
 * the Keys card voids every link given out.
 */
export function KodoObjectLink(p: { applianceId: string; bucket: string; mode: 'GET' | 'PUT'; objectKey: string; onClose(): void }) {
  const translator = useI18n();
  const { t } = translator;
  const [key, setKey] = useState(p.objectKey);
  const [expires, setExpires] = useState<number>(EXPIRIES[0]);
  const [link, setLink] = useState<MethodOutput<'kodo.presignObject'> | null>(null);
  const presign = useKodoChange(p.applianceId, 'kodo.presignObject');
  const make = () => presign.mutate({ bucket: p.bucket, key, method: p.mode, expiresSeconds: expires }, { onSuccess: setLink });
  const expiryLabel = (s: number) => t(s === 3600 ? 'kodo.link.expires.hour' : s === 86_400 ? 'kodo.link.expires.day' : 'kodo.link.expires.week');

  return (
    <Modal open title={t(p.mode === 'GET' ? 'kodo.link.downloadTitle' : 'kodo.link.uploadTitle', { bucket: p.bucket })} onCancel={p.onClose} footer={null} destroyOnHidden data-testid="kodo-object-link">
      <Flex vertical gap={12}>
        {p.mode === 'PUT' ? (
          <Input value={key} onChange={(e) => (setKey(e.target.value), setLink(null))} addonBefore={t('kodo.link.key')} data-testid="kodo-link-key" />
        ) : (
          <Typography.Text code>{key}</Typography.Text>
        )}
        <Segmented<number> value={expires} onChange={(v) => (setExpires(v), setLink(null))} options={EXPIRIES.map((s) => ({ value: s, label: expiryLabel(s) }))} />
        <Button type="primary" onClick={make} loading={presign.isPending} disabled={key === '' || key.endsWith('/')} data-testid="kodo-link-make">
          {t('kodo.link.make')}
        </Button>
        {presign.isError && <Alert type="error" showIcon title={describeError(translator, presign.error)} />}
        {link && (
          <Flex vertical gap={4} data-testid="kodo-link-result">
            <Typography.Paragraph copyable={{ text: link.url }} ellipsis={{ rows: 3 }} style={{ marginBottom: 0 }}>
              {link.url}
            </Typography.Paragraph>
            {p.mode === 'PUT' && (
              <Typography.Paragraph copyable code style={{ marginBottom: 0 }}>
                {`curl -T ./file '${link.url}'`}
              </Typography.Paragraph>
            )}
            <Typography.Text type="secondary">{t('kodo.link.until', { time: formatLocalTime(link.expiresAt) })}</Typography.Text>
          </Flex>
        )}
      </Flex>
    </Modal>
  );
}
