import { Alert, Button, Descriptions, Flex, Space, Spin, Steps, Tag, Typography } from 'antd';
import { useEffect } from 'react';
import type { Appliance } from '../../../../../main/contract/fleet.contract';
import type { ConnectionReport } from '../../../../../main/contract/onboarding.contract';
import { useAcceptHostKey, useTestConnection } from '../../../api/onboarding-hooks';
import { describeError } from '../../../i18n/describe-error';
import { useI18n } from '../../../i18n/i18n-context';
import { CONNECTION_STAGES, describeFailure, hostKeyFileType, loginDetailItems, reachedStage } from '../connection-report';
import { useFocusWhen } from './wizard-hooks';
import { formatEndpoint } from '../../../../../main/contract/network-address';
import { HostKeyChanged } from '../host-key-changed';

interface FingerprintStepProps {
  appliance: Appliance;
  onBack(): void;
  onNext(report: ConnectionReport): void;
}

/**
 * Step 2: log in as the console will (`onboarding.testConnection`), stage by stage. An unknown or changed
 * host key is shown with what to compare it with; trusting it is a deliberate click, never Enter,
 * after which the test runs again. Any other failure says what to do, with Back and Try again.
 */
export function FingerprintStep({ appliance, onBack, onNext }: FingerprintStepProps) {
  const translator = useI18n();
  const { t } = translator;
  const test = useTestConnection();
  const accept = useAcceptHostKey();
  const { mutate } = test;
  useEffect(() => {
    mutate(appliance.id);
  }, [appliance.id, mutate]);

  const report = test.isPending ? undefined : test.data;
  const ok = report?.ok === true;
  const nextRef = useFocusWhen(ok);
  const key = report?.hostKey;
  const keyPending = key !== undefined && key !== null && key.status !== 'trusted';
  const failure = report && !report.ok ? report.failure : null;
  const current = reachedStage(report);
  const trust = (fingerprint: string) => accept.mutate({ id: appliance.id, fingerprint }, { onSuccess: () => test.mutate(appliance.id) });

  return (
    <>
      <Steps
        size="small"
        current={current}
        status={failure ? 'error' : test.isPending ? 'process' : 'finish'}
        items={CONNECTION_STAGES.map((stage) => ({ title: t(`connection.stage.${stage}`) }))}
        style={{ marginBlock: 16 }}
      />
      {test.isPending && (
        <Space>
          <Spin size="small" /> {t('wizard.fingerprint.testing', { address: formatEndpoint(appliance.address, appliance.port) })}
        </Space>
      )}
      {test.isError && <Alert type="error" showIcon title={describeError(translator, test.error)} data-testid="wizard-failure" data-code="api" />}
      {report && (
        <Space direction="vertical" style={{ width: '100%' }}>
          {ok && <Alert type="success" showIcon title={t('wizard.fingerprint.ok', { user: appliance.user })} data-testid="wizard-connection-ok" />}
          {failure && (
            <Alert
              type={failure.code === 'host-key-unknown' ? 'warning' : 'error'}
              showIcon
              title={describeFailure(translator, failure)}
              description={keyPending ? undefined : t('wizard.fingerprint.fix')}
              data-testid="wizard-failure"
              data-code={failure.code}
            />
          )}
          <Descriptions size="small" column={1} bordered>
            {report.latencyMs !== null && <Descriptions.Item label={t('connection.latency')}>{t('connection.latencyValue', { ms: report.latencyMs })}</Descriptions.Item>}
            {key && (
              <Descriptions.Item label={t('connection.hostKey')}>
                <Space direction="vertical" size={4}>
                  <Space wrap>
                    <Typography.Text code>{key.keyType}</Typography.Text>
                    <Typography.Text code copyable data-testid="wizard-fingerprint">
                      {key.fingerprint}
                    </Typography.Text>
                    <Tag color={key.status === 'trusted' ? 'green' : key.status === 'changed' ? 'red' : 'orange'}>{t(`connection.hostKey.${key.status}`)}</Tag>
                  </Space>
                  {keyPending && key.status === 'changed' && (
                    // The same panel as everywhere a changed key stops the console: both fingerprints, trust behind a confirmation.
                    <HostKeyChanged
                      applianceId={appliance.id}
                      name={appliance.name}
                      hostKey={{ presented: key.fingerprint, accepted: key.knownFingerprint ?? '', keyType: key.keyType }}
                      onTrusted={() => test.mutate(appliance.id)}
                    />
                  )}
                  {keyPending && key.status !== 'changed' && (
                    <>
                      <Typography.Text type="secondary" data-testid="wizard-fingerprint-hint">
                        {t('wizard.fingerprint.compare', { type: hostKeyFileType(key.keyType) })}
                      </Typography.Text>
                      <Button loading={accept.isPending} onClick={() => trust(key.fingerprint)} data-testid="wizard-accept">
                        {t('wizard.fingerprint.accept')}
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
      <Flex justify="end" gap={8} style={{ marginTop: 16 }}>
        <Button onClick={onBack} data-testid="wizard-back">
          {t('wizard.back')}
        </Button>
        {!ok && (
          <Button onClick={() => test.mutate(appliance.id)} loading={test.isPending} data-testid="wizard-retry">
            {t('wizard.retry')}
          </Button>
        )}
        <Button ref={nextRef} type="primary" disabled={!ok} onClick={() => report && onNext(report)} data-testid="wizard-next">
          {t('wizard.next')}
        </Button>
      </Flex>
    </>
  );
}
