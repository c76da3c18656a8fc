import { ApiOutlined, ArrowLeftOutlined, ArrowUpOutlined, CloudUploadOutlined, ReloadOutlined, StopOutlined } from '@ant-design/icons';
import { Button, Card, Descriptions, Flex, Space, Tag, Typography } from 'antd';
import type { Appliance } from '../../../../main/contract/fleet.contract';
import type { ApplianceStatus } from '../../../../main/contract/status.contract';
import { useApplianceStatus, useCheckNow } from '../../api/status-hooks';
import { describeError } from '../../i18n/describe-error';
import { formatLocalTime, formatRelativeTime } from '../../i18n/format';
import { useI18n } from '../../i18n/i18n-context';
import type { Translator } from '../../i18n/translate';
import { ROLE_LABELS } from '../fleet/appliance-labels';
import { sshEndpoint } from '../fleet/fleet-columns';
import { changedHostKey, HostKeyChanged } from '../fleet/host-key-changed';
import { reasonText, sinceText, STATE_COLORS, STATE_LABELS, statusTitle } from './status-labels';
import { useNow } from './use-now';

const NOW_TICK_MS = 10_000;

interface HeaderProps {
  appliance: Appliance;
  onProvision(): void;
  onUpgrade(): void;
  onUninstall(): void;
  onTest(): void;
}

/** Name, address, role; status since when, last seen, agent version; and what can be done to it. */
export function ApplianceHeader({ appliance, onProvision, onUpgrade, onUninstall, onTest }: HeaderProps) {
  const translator = useI18n();
  const { t, locale } = translator;
  const status = useApplianceStatus(appliance.id).data ?? null;
  const checkNow = useCheckNow();
  const nowMs = useNow(NOW_TICK_MS);
  const state = status?.state ?? 'unknown';
  const reason = status ? reasonText(translator, status.reasonCode, status.reasonParams, status.reason) : null;
  // The version is the last one the agent reported; when it did not answer this check, say since when.
  // The console refuses a machine whose key changed until a person trusts the new one: say so where they look.
  const changedKey = status ? changedHostKey(status.reasonCode, status.reasonParams) : null;
  const agentStale = Boolean(status?.agent && status.agentSeenAt && status.agentSeenAt < status.checkedAt);

  return (
    <Card size="small">
      <Flex vertical gap={12}>
        <Flex justify="space-between" align="center" wrap gap={12}>
          <Space size={12} align="center" wrap>
            <Button type="text" icon={<ArrowLeftOutlined />} href="#/fleet" aria-label={t('appliance.backToFleet')} title={t('appliance.backToFleet')} />
            <Typography.Title level={4} style={{ margin: 0 }} data-testid="appliance-title">
              {appliance.name}
            </Typography.Title>
            <Tag color={STATE_COLORS[state]} title={status ? statusTitle(translator, status) : undefined} data-testid="appliance-status" data-state={state}>
              {t(STATE_LABELS[state])}
            </Tag>
            {status && <Typography.Text type="secondary">{sinceText(t, status, nowMs, locale)}</Typography.Text>}
          </Space>
          <Space wrap>
            <Button icon={<ReloadOutlined />} loading={checkNow.isPending} onClick={() => checkNow.mutate(appliance.id)} data-testid="appliance-check-now">
              {t('appliance.checkNow')}
            </Button>
            <Button icon={<ApiOutlined />} onClick={onTest} data-testid="appliance-test-connection">
              {t('appliance.testConnection')}
            </Button>
            <Button icon={<CloudUploadOutlined />} onClick={onProvision} data-testid="detail-provision">
              {t('appliance.provision')}
            </Button>
            <Button icon={<ArrowUpOutlined />} onClick={onUpgrade} data-testid="detail-upgrade">
              {t('appliance.upgrade')}
            </Button>
            <Button danger icon={<StopOutlined />} onClick={onUninstall} data-testid="detail-uninstall">
              {t('appliance.uninstall')}
            </Button>
          </Space>
        </Flex>
        {checkNow.isError && <Typography.Text type="danger">{describeError(translator, checkNow.error)}</Typography.Text>}
        {reason && (
          <Typography.Text type={state === 'online' ? 'secondary' : 'warning'} data-testid="appliance-status-reason">
            {t('status.reason', { reason })}
          </Typography.Text>
        )}
        {changedKey && <HostKeyChanged applianceId={appliance.id} name={appliance.name} hostKey={changedKey} />}
        <Descriptions
          size="small"
          column={{ xs: 1, sm: 2, lg: 3 }}
          items={[
            { key: 'address', label: t('appliance.address'), children: `${appliance.user}@${sshEndpoint(appliance)}` },
            { key: 'role', label: t('appliance.role'), children: t(ROLE_LABELS[appliance.role]) },
            { key: 'lastSeen', label: t('appliance.lastSeen'), children: <span data-testid="appliance-last-seen">{lastSeenText(translator, status, nowMs)}</span> },
            {
              key: 'agent',
              label: t('appliance.agentVersion'),
              children: (
                <span data-testid="appliance-agent-version" title={status?.agent?.startedAt ? t('appliance.agentProcess', { pid: status.agent.pid === null || status.agent.pid === undefined ? '—' : String(status.agent.pid), time: formatLocalTime(status.agent.startedAt) }) : undefined}>
                  {status?.agent?.version ?? t('appliance.agentNone')}
                  {agentStale && status?.agentSeenAt && (
                    <Typography.Text type="warning" data-testid="appliance-agent-stale">
                      {' '}
                      ({t('status.agentLastAnswered', { time: formatLocalTime(status.agentSeenAt) })})
                    </Typography.Text>
                  )}
                </span>
              ),
            },
            { key: 'added', label: t('fleet.column.created'), children: formatLocalTime(appliance.createdAt) },
            {
              key: 'checked',
              label: t('status.column'),
              children: status ? t('status.checkedAt', { time: formatLocalTime(status.checkedAt) }) : t('status.unknown'),
            },
          ]}
        />
      </Flex>
    </Card>
  );
}

/** "3 minutes ago"; when offline, "as of <exact time>" (it is the last moment the console knows about). */
function lastSeenText({ t, locale }: Translator, status: ApplianceStatus | null, nowMs: number): string {
  if (!status?.lastSeenAt) return t('appliance.never');
  const relative = formatRelativeTime(status.lastSeenAt, nowMs, locale);
  return status.state === 'offline' ? `${t('appliance.lastSeenAsOf', { time: formatLocalTime(status.lastSeenAt) })} (${relative})` : relative;
}
