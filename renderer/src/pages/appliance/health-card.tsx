import { Alert, Card, Flex, List, Tag, Typography } from 'antd';
import { useApplianceStatus } from '../../api/status-hooks';
import { formatLocalTime } from '../../i18n/format';
import { useI18n } from '../../i18n/i18n-context';
import { healthFreshness } from './health-freshness';

/** Clock differences below this are normal NTP jitter plus round trip; above, logs stop lining up. */
const SKEW_WORTH_SHOWING_MS = 2_000;

/** What the agent says about itself: ok, or each problem it reports; its process; clock skew. */
export function HealthCard({ applianceId }: { applianceId: string }) {
  const { t, locale, lookup } = useI18n();
  const status = useApplianceStatus(applianceId).data ?? null;
  const freshness = healthFreshness(status);
  const health = freshness === 'current' || freshness === 'stale' ? (status?.health ?? null) : null;
  const stale = freshness === 'stale';
  const hours = (seconds: number) => (seconds / 3600).toLocaleString(locale, { maximumFractionDigits: 1 });
  const skew = stale ? null : (status?.clockSkewMs ?? null);

  return (
    <Card size="small" title={t('appliance.health.title')} style={{ height: '100%' }} data-testid="appliance-health" data-freshness={freshness}>
      <Flex vertical gap={8}>
        {freshness === 'not-provisioned' && <Typography.Text type="secondary">{t('appliance.health.notProvisioned')}</Typography.Text>}
        {freshness === 'none' && <Typography.Text type="secondary">{status ? t('appliance.health.never') : t('appliance.health.unknown')}</Typography.Text>}
        {stale && status?.agentSeenAt && (
          // The last report is history: a warning with its time, not a green "no problems".
          <Alert type="warning" showIcon title={t('appliance.health.stale', { time: formatLocalTime(status.agentSeenAt) })} data-testid="health-stale" />
        )}
        {health &&
          (health.status === 'ok' ? (
            stale ? (
              <Typography.Text type="secondary">{t('appliance.health.staleOk')}</Typography.Text>
            ) : (
              <Alert type="success" showIcon title={t('appliance.health.ok')} data-testid="health-ok" />
            )
          ) : (
            <List
              size="small"
              bordered
              data-testid="health-reasons"
              style={stale ? { opacity: 0.65 } : undefined}
              dataSource={health.reasons}
              renderItem={(r) => (
                // The agent's own sentence is English: its code is worded here, the sentence kept as a tooltip for engineers.
                <List.Item title={r.message}>
                  <Flex gap={8} align="baseline" wrap>
                    <Tag color={stale ? 'default' : 'warning'} title={r.code}>
                      {lookup(`appliance.health.code.${r.code}`) ?? r.code}
                    </Tag>
                    {r.subject && <Typography.Text strong>{r.subject}</Typography.Text>}
                  </Flex>
                </List.Item>
              )}
            />
          ))}
        {health && (
          <Typography.Text type="secondary">
            {t('appliance.health.uptime', { hours: hours(health.uptimeSeconds) })} · {t('appliance.agentProcess', { pid: String(health.pid), time: formatLocalTime(health.startedAt) })}
          </Typography.Text>
        )}
        {skew !== null && Math.abs(skew) >= SKEW_WORTH_SHOWING_MS && (
          <Alert type="warning" showIcon title={t('appliance.clockSkew', { seconds: (skew / 1000).toLocaleString(locale, { maximumFractionDigits: 1, signDisplay: 'always' }) })} />
        )}
      </Flex>
    </Card>
  );
}
