import { Card, Descriptions, Skeleton, Typography } from 'antd';
import type { MethodOutput } from '../../../../main/contract/api.contract';
import { useSystemInfo } from '../../api/system-hooks';
import { QueryErrorAlert } from '../../components/query-error-alert';
import { useI18n } from '../../i18n/i18n-context';
import type { PlainMessageKey } from '../../i18n/translate';

type SystemInfo = MethodOutput<'system.info'>;

export const HOST_LABELS: Record<SystemInfo['host'], PlainMessageKey> = {
  desktop: 'host.desktop',
  serve: 'host.serve',
  cli: 'host.cli',
};

const SECRET_STORAGE_LABELS: Record<SystemInfo['secretStorage'], PlainMessageKey> = {
  'os-keychain': 'system.secretStorage.os-keychain',
  'key-file': 'system.secretStorage.key-file',
};

/** What is running and where its data and secrets are: the first things support asks for. */
export function SystemInfoCard() {
  const { t } = useI18n();
  const info = useSystemInfo();
  return (
    <Card title={t('system.title')} size="small" data-testid="system-info">
      {info.isPending && <Skeleton active paragraph={{ rows: 3 }} />}
      {info.isError && <QueryErrorAlert error={info.error} onRetry={() => void info.refetch()} />}
      {info.data && (
        <Descriptions column={{ xs: 1, md: 2 }} size="small">
          <Descriptions.Item label={t('system.version')}>{info.data.version}</Descriptions.Item>
          <Descriptions.Item label={t('system.host')}>{t(HOST_LABELS[info.data.host])}</Descriptions.Item>
          <Descriptions.Item label={t('system.dataDir')}>
            <Typography.Text code copyable={{ tooltips: [t('common.copy'), t('common.copied')] }}>
              {info.data.dataDir}
            </Typography.Text>
          </Descriptions.Item>
          <Descriptions.Item label={t('system.secretStorage')}>
            {t(SECRET_STORAGE_LABELS[info.data.secretStorage])}
          </Descriptions.Item>
          <Descriptions.Item label={t('system.schemaVersion')}>{info.data.schemaVersion}</Descriptions.Item>
          <Descriptions.Item label={t('system.osLocale')}>{info.data.osLocale}</Descriptions.Item>
        </Descriptions>
      )}
    </Card>
  );
}
