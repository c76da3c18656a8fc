import { Alert, Card, Flex, List, Tag, Typography } from 'antd';
import { useApplianceStatus } from '../../api/status-hooks';
import { formatLocalTime } from '../../i18n/format';
import { useI18n } from '../../i18n/i18n-context';

/** Clock differences below this are normal NTP jitter plus round trip; above, logs stop lining up. */
const SKEW_WORTH_SHOWING_MS = 2_000;

/** What the agent says about itself: ok, or each problem it reports; its process; clock skew. */
export function HealthCard({ applianceId }: { applianceId: string }) {
  const { t, locale, lookup } = useI18n();
  const status = useApplianceStatus(applianceId).data ?? null;
  const health = status?.health ?? null;
  const hours = (seconds: number) => (seconds / 3600).toLocaleString(locale, { maximumFractionDigits: 1 });
  const skew = status?.clockSkewMs ?? null;

  return (
    <Card size="small" title={t('appliance.health.title')} style={{ height: '100%' }} data-testid="appliance-health">
      <Flex vertical gap={8}>
        {!health ? (
          <Typography.Text type="secondary">{t('appliance.health.unknown')}</Typography.Text>
        ) : health.status === 'ok' ? (
          <Alert type="success" showIcon title={t('appliance.health.ok')} data-testid="health-ok" />
        ) : (
          <List
            size="small"
            bordered
            data-testid="health-reasons"
            dataSource={health.reasons}
            renderItem={(r) => (
              <List.Item>
                <Flex gap={8} align="baseline" wrap>
                  <Tag color="warning" title={r.code}>
                    {lookup(`appliance.health.code.${r.code}`) ?? r.code}
                  </Tag>
                  {r.subject && <Typography.Text strong>{r.subject}</Typography.Text>}
                  <Typography.Text>{r.message}</Typography.Text>
                </Flex>
              </List.Item>
            )}
          />
        )}
        {health && (
          <Typography.Text type="secondary">
            {t('appliance.health.uptime', { hours: hours(health.uptimeSeconds) })} · {t('appliance.agentProcess', { pid: health.pid, time: formatLocalTime(health.startedAt) })}
          </Typography.Text>
        )}
        {skew !== null && Math.abs(skew) >= SKEW_WORTH_SHOWING_MS && (
          <Alert type="warning" showIcon title={t('appliance.clockSkew', { seconds: (skew / 1000).toLocaleString(locale, { maximumFractionDigits: 1, signDisplay: 'always' }) })} />
        )}
      </Flex>
    </Card>
  );
}
