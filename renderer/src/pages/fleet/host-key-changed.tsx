import { SafetyCertificateOutlined } from '@ant-design/icons';
import { Alert, App, Button, Descriptions, Flex, Typography, type ButtonProps } from 'antd';
import { useAcceptHostKey } from '../../api/onboarding-hooks';
import { useCheckNow } from '../../api/status-hooks';
import { describeError } from '../../i18n/describe-error';
import { useI18n } from '../../i18n/i18n-context';
import { hostKeyFileType } from './connection-report';

export interface ChangedHostKey {
  /** The key the machine presents now (the SSH failure's `fingerprint`). */
  presented: string;
  /** The key the console accepted before (the SSH failure's `known`). */
  accepted: string;
  /** `ssh-ed25519`…: names the file to compare with on the machine; ed25519 when unknown. */
  keyType?: string;
}

/** The `ssh.host-key-changed` params of a status reason, run failure or connection test, if that is what they are. */
export function changedHostKey(code: string | null | undefined, params: Readonly<Record<string, string | number | null>> | undefined): ChangedHostKey | null {
  if (code !== 'ssh.host-key-changed' || !params) return null;
  const presented = params.fingerprint;
  if (typeof presented !== 'string' || !presented) return null;
  return { presented, accepted: typeof params.known === 'string' ? params.known : '', keyType: typeof params.keyType === 'string' ? params.keyType : undefined };
}

/**
 * A changed host key wherever one stops the console (connection test, provisioning, the appliance
 * header): the key accepted before and the one presented now, side by side, and "Trust the new key"
 * behind a confirmation that says to compare it on the machine's own console. Trusting is
 * `onboarding.acceptHostKey` with the presented fingerprint (mutating: the dispatcher audits it; the
 * host refuses it if the machine now presents yet another key), then a fresh status check.
 */
export function HostKeyChanged({ applianceId, name, hostKey, onTrusted }: { applianceId: string; name: string; hostKey: ChangedHostKey; onTrusted?(): void }) {
  const translator = useI18n();
  const { t } = translator;
  const { modal, message } = App.useApp();
  const accept = useAcceptHostKey();
  const checkNow = useCheckNow();
  const type = hostKeyFileType(hostKey.keyType ?? 'ssh-ed25519');

  const confirm = () =>
    modal.confirm({
      title: t('hostKey.changed.confirmTitle', { name }),
      content: <Typography.Paragraph style={{ margin: 0 }}>{t('hostKey.changed.confirmBody', { type, fingerprint: hostKey.presented })}</Typography.Paragraph>,
      okText: t('hostKey.changed.trust'),
      okButtonProps: { danger: true, 'data-testid': 'host-key-trust-confirm' } as ButtonProps,
      cancelText: t('common.cancel'),
      width: 560,
      onOk: () =>
        accept.mutateAsync({ id: applianceId, fingerprint: hostKey.presented }).then(() => {
          void message.success(t('hostKey.changed.trusted'));
          checkNow.mutate(applianceId);
          onTrusted?.();
        }),
    });

  return (
    <Alert
      type="error"
      showIcon
      icon={<SafetyCertificateOutlined />}
      data-testid="host-key-changed"
      title={t('hostKey.changed.title', { name })}
      description={
        <Flex vertical gap={8}>
          <Typography.Text>{t('hostKey.changed.detail')}</Typography.Text>
          <Descriptions size="small" column={1} bordered>
            <Descriptions.Item label={t('hostKey.changed.accepted')}>
              <Typography.Text code copyable data-testid="host-key-accepted">
                {hostKey.accepted || '—'}
              </Typography.Text>
            </Descriptions.Item>
            <Descriptions.Item label={t('hostKey.changed.presented')}>
              <Typography.Text code copyable data-testid="host-key-presented">
                {hostKey.presented}
              </Typography.Text>
            </Descriptions.Item>
          </Descriptions>
          <Typography.Text type="secondary">{t('connection.hostKey.compare', { type })}</Typography.Text>
          <div>
            <Button danger loading={accept.isPending} onClick={confirm} data-testid="host-key-trust">
              {t('hostKey.changed.trust')}
            </Button>
          </div>
          {accept.isError && <Alert type="error" showIcon title={describeError(translator, accept.error)} />}
        </Flex>
      }
    />
  );
}
