import { Alert, Button, Descriptions, Modal, Space, Spin, Steps, Tag, Typography } from 'antd';
import { useEffect } from 'react';
import type { Appliance } from '../../../../main/contract/fleet.contract';
import { useAcceptHostKey, useTestConnection } from '../../api/onboarding-hooks';
import { describeError } from '../../i18n/describe-error';
import { useI18n } from '../../i18n/i18n-context';
import { CONNECTION_STAGES, describeFailure, hostKeyFileType, loginDetailItems, reachedStage } from './connection-report';
import { HostKeyChanged } from './host-key-changed';

/**
 * "Test connection": runs the probe as soon as it opens and shows how far the login got, stage by
 * stage. An unknown or changed host key is shown with its fingerprint and what to compare it with;
 * trusting it is a deliberate click (audited by the console), after which the test runs again.
 */
export function ConnectionTestDialog({ appliance, onClose }: { appliance: Appliance; onClose(): void }) {
  const translator = useI18n();
  const { t } = translator;
  const test = useTestConnection();
  const accept = useAcceptHostKey();
  const { mutate } = test;

  useEffect(() => {
    mutate(appliance.id);
  }, [appliance.id, mutate]);

  const report = test.data;
  const current = reachedStage(report);
  const trust = (fingerprint: string) =>
    accept.mutate({ id: appliance.id, fingerprint }, { onSuccess: () => test.mutate(appliance.id) });

  return (
    <Modal
      open
      width={720}
      title={t('connection.title', { name: appliance.name })}
      onCancel={onClose}
      footer={[
        <Button key="again" onClick={() => test.mutate(appliance.id)} loading={test.isPending} data-testid="connection-again">
          {t('connection.again')}
        </Button>,
        <Button key="close" type="primary" onClick={onClose} data-testid="connection-close">
          {t('connection.close')}
        </Button>,
      ]}
    >
      <div data-testid="connection-dialog">
        <Steps
          size="small"
          current={current}
          status={report && !report.ok ? 'error' : test.isPending ? 'process' : 'finish'}
          items={CONNECTION_STAGES.map((stage) => ({ title: t(`connection.stage.${stage}`) }))}
          style={{ marginBlock: 16 }}
        />
        {test.isPending && (
          <Space>
            <Spin size="small" /> {t('connection.testing')}
          </Space>
        )}
        {test.isError && <Alert type="error" showIcon title={describeError(translator, test.error)} />}
        {report && !test.isPending && (
          <Space direction="vertical" style={{ width: '100%' }}>
            {report.ok ? (
              <Alert type="success" showIcon title={t('connection.ok')} data-testid="connection-ok" />
            ) : (
              report.failure && (
                <Alert
                  type={report.failure.code === 'host-key-unknown' ? 'warning' : 'error'}
                  showIcon
                  title={describeFailure(translator, report.failure)}
                  description={t('connection.failedAt', { stage: t(`connection.stage.${report.stage}`) })}
                  data-testid="connection-failure"
                  data-code={report.failure.code}
                />
              )
            )}
            <Descriptions size="small" column={1} bordered>
              {report.latencyMs !== null && (
                <Descriptions.Item label={t('connection.latency')}>{t('connection.latencyValue', { ms: report.latencyMs })}</Descriptions.Item>
              )}
              {report.hostKey && (
                <Descriptions.Item label={t('connection.hostKey')}>
                  <Space direction="vertical" size={4}>
                    <Space wrap>
                      <Typography.Text code>{report.hostKey.keyType}</Typography.Text>
                      <Typography.Text code copyable data-testid="connection-fingerprint">
                        {report.hostKey.fingerprint}
                      </Typography.Text>
                      <Tag color={report.hostKey.status === 'trusted' ? 'green' : report.hostKey.status === 'changed' ? 'red' : 'orange'}>
                        {t(`connection.hostKey.${report.hostKey.status}`)}
                      </Tag>
                    </Space>
                    {report.hostKey.status === 'changed' && (
                      // Old and new side by side, trusted only after a confirmation; then the test runs again.
                      <HostKeyChanged
                        applianceId={appliance.id}
                        name={appliance.name}
                        hostKey={{ presented: report.hostKey.fingerprint, accepted: report.hostKey.knownFingerprint ?? '', keyType: report.hostKey.keyType }}
                        onTrusted={() => test.mutate(appliance.id)}
                      />
                    )}
                    {report.hostKey.status === 'unknown' && (
                      <>
                        <Typography.Text type="secondary">{t('connection.hostKey.compare', { type: hostKeyFileType(report.hostKey.keyType) })}</Typography.Text>
                        <Button loading={accept.isPending} onClick={() => trust(report.hostKey!.fingerprint)} data-testid="connection-trust">
                          {t('connection.hostKey.trust')}
                        </Button>
                        {accept.isError && <Alert type="error" showIcon title={describeError(translator, accept.error)} />}
                      </>
                    )}
                  </Space>
                </Descriptions.Item>
              )}
              {loginDetailItems(translator, report)}
            </Descriptions>
          </Space>
        )}
      </div>
    </Modal>
  );
}
