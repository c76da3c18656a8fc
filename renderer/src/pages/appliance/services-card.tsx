import { App, Button, Card, Flex, Popconfirm, Space, Table, Tag, Typography } from 'antd';
import type { ApplianceStatus } from '../../../../main/contract/status.contract';
import { useServiceAction, type ServiceAction } from '../../api/service-hooks';
import { useApplianceStatus } from '../../api/status-hooks';
import { describeError } from '../../i18n/describe-error';
import { formatLocalTime } from '../../i18n/format';
import { useI18n } from '../../i18n/i18n-context';
import type { PlainMessageKey, Translator } from '../../i18n/translate';

type Service = NonNullable<ApplianceStatus['services']>[number];

const STATE_LABELS: Record<Service['state'], PlainMessageKey> = {
  starting: 'appliance.services.state.starting',
  running: 'appliance.services.state.running',
  backoff: 'appliance.services.state.backoff',
  stopping: 'appliance.services.state.stopping',
  stopped: 'appliance.services.state.stopped',
  exited: 'appliance.services.state.exited',
  failed: 'appliance.services.state.failed',
};
const STATE_COLORS: Record<Service['state'], string> = { starting: 'processing', running: 'success', backoff: 'warning', stopping: 'default', stopped: 'default', exited: 'default', failed: 'error' };

type Readiness = NonNullable<Service['readiness']>['state'];
const READINESS_LABELS: Record<Readiness, PlainMessageKey> = {
  pending: 'appliance.services.ready.pending',
  ready: 'appliance.services.ready.ready',
  unready: 'appliance.services.ready.unready',
  'not-running': 'appliance.services.ready.not-running',
};
const READINESS_COLORS: Record<Readiness, string> = { pending: 'processing', ready: 'success', unready: 'error', 'not-running': 'default' };

/** Which actions make sense in a state: start what is not running, stop or restart what is. */
const RUNNING_STATES: ReadonlySet<Service['state']> = new Set(['starting', 'running', 'backoff']);

/**
 * The agent's services as the last check saw them (every action checks again before it answers):
 * state, readiness (the module's own probe, not just a live process), ports, version, restarts,
 * crashes, last exit, with start, stop and restart — the same data `appliance-console service list`
 * prints. Stop and restart ask first: clients of the service lose their connections.
 */
export function ServicesCard({ applianceId }: { applianceId: string }) {
  const translator = useI18n();
  const { t } = translator;
  const { message } = App.useApp();
  const services = useApplianceStatus(applianceId).data?.services ?? null;
  const act = useServiceAction(applianceId);
  const run = (action: ServiceAction, service: string) =>
    act.mutate(
      { action, service },
      {
        onSuccess: (r) => void message.success(t(`appliance.services.done.${r.outcome}`, { service })),
        onError: (err) => void message.error(describeError(translator, err)),
      },
    );
  const busy = (service: string) => act.isPending && act.variables?.service === service;
  return (
    <Card size="small" title={t('appliance.services.title')} style={{ height: '100%' }}>
      {services === null ? (
        <Typography.Text type="secondary">{t('appliance.services.none')}</Typography.Text>
      ) : (
        <Table<Service>
          size="small"
          pagination={false}
          locale={{ emptyText: t('appliance.services.empty') }}
          rowKey="name"
          dataSource={services}
          data-testid="services-table"
          scroll={{ x: 'max-content' }}
          onRow={(s) => ({ 'data-testid': 'service-row', 'data-service': s.name }) as object}
          columns={[
            {
              key: 'name',
              title: t('appliance.services.name'),
              render: (_, s) => (
                <Flex vertical>
                  <span>{s.name}</span>
                  {s.version && (
                    <Typography.Text type="secondary" style={{ fontSize: 12 }} title={t('appliance.services.version')}>
                      {s.version}
                    </Typography.Text>
                  )}
                </Flex>
              ),
            },
            {
              key: 'state',
              title: t('appliance.services.state'),
              // The process's state, then (for a service module) whether its probe passes: a running
              // process that does not answer is the case the readiness tag exists to show.
              render: (_, s) => (
                <Flex gap={4} wrap title={s.lastError ?? undefined}>
                  <Tag color={STATE_COLORS[s.state]} style={{ marginInlineEnd: 0 }}>
                    {t(STATE_LABELS[s.state])}
                  </Tag>
                  {s.readiness && (
                    <span title={s.readiness.message ?? s.readiness.probe} data-testid="service-ready" data-state={s.readiness.state}>
                      <Tag color={READINESS_COLORS[s.readiness.state]} style={{ marginInlineEnd: 0 }}>
                        {t(READINESS_LABELS[s.readiness.state])}
                      </Tag>
                    </span>
                  )}
                  {s.flapping && (
                    <Tag color="error" style={{ marginInlineEnd: 0 }}>
                      {t('appliance.services.flapping')}
                    </Tag>
                  )}
                </Flex>
              ),
            },
            { key: 'ports', title: t('appliance.services.ports'), render: (_, s) => (s.ports?.length ? s.ports.map((p) => p.port).join(', ') : '—') },
            {
              key: 'restarts',
              title: t('appliance.services.restartsCrashes'),
              align: 'right',
              render: (_, s) => `${s.restarts} / ${s.crashes}`,
            },
            {
              key: 'lastExit',
              title: t('appliance.services.lastExit'),
              // How it ended, in a few words; when and after how long, on hover.
              render: (_, s) => (s.lastExit ? <span title={lastExitText(translator, s)}>{exitHow(translator, s.lastExit)}</span> : '—'),
            },
            {
              key: 'actions',
              title: t('appliance.services.actions'),
              render: (_, s) => {
                // While it stops, neither start nor stop: the next check shows where it ended.
                if (s.state === 'stopping') return null;
                const running = RUNNING_STATES.has(s.state);
                return (
                  <Space size={4}>
                    {!running && (
                      <Button size="small" loading={busy(s.name)} data-testid="service-start" onClick={() => run('start', s.name)}>
                        {t('appliance.services.start')}
                      </Button>
                    )}
                    {running && (
                      <Popconfirm title={t('appliance.services.restartConfirm', { service: s.name })} okText={t('appliance.services.restart')} cancelText={t('common.cancel')} onConfirm={() => run('restart', s.name)}>
                        <Button size="small" loading={busy(s.name)} data-testid="service-restart">
                          {t('appliance.services.restart')}
                        </Button>
                      </Popconfirm>
                    )}
                    {running && (
                      <Popconfirm title={t('appliance.services.stopConfirm', { service: s.name })} okText={t('appliance.services.stop')} okButtonProps={{ danger: true }} cancelText={t('common.cancel')} onConfirm={() => run('stop', s.name)}>
                        <Button size="small" danger disabled={busy(s.name)} data-testid="service-stop">
                          {t('appliance.services.stop')}
                        </Button>
                      </Popconfirm>
                    )}
                  </Space>
                );
              },
            },
          ]}
        />
      )}
    </Card>
  );
}

function exitHow({ t }: Translator, exit: NonNullable<Service['lastExit']>): string {
  return exit.signal ? t('appliance.services.exitSignal', { signal: exit.signal }) : t('appliance.services.exitCode', { code: exit.code ?? '—' });
}

function lastExitText(translator: Translator, s: Service): string {
  const { t, locale } = translator;
  const exit = s.lastExit;
  if (!exit) return '—';
  const how = exitHow(translator, exit);
  const seconds = (exit.runtimeMs / 1000).toLocaleString(locale, { maximumFractionDigits: 1 });
  return `${how} · ${t('appliance.services.exitWhen', { time: formatLocalTime(exit.at), seconds })}`;
}
