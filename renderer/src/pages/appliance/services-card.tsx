import { Card, Table, Tag, Typography } from 'antd';
import type { ApplianceStatus } from '../../../../main/contract/status.contract';
import { useApplianceStatus } from '../../api/status-hooks';
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

/** The agent's services as the last check saw them: state, restarts, crashes, flapping, last exit. */
export function ServicesCard({ applianceId }: { applianceId: string }) {
  const translator = useI18n();
  const { t } = translator;
  const services = useApplianceStatus(applianceId).data?.services ?? null;
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
          onRow={(s) => ({ 'data-testid': 'service-row', 'data-service': s.name }) as object}
          columns={[
            { key: 'name', title: t('appliance.services.name'), dataIndex: 'name' },
            {
              key: 'state',
              title: t('appliance.services.state'),
              render: (_, s) => (
                <span title={s.lastError ?? undefined}>
                  <Tag color={STATE_COLORS[s.state]}>{t(STATE_LABELS[s.state])}</Tag>
                  {s.flapping && <Tag color="error">{t('appliance.services.flapping')}</Tag>}
                </span>
              ),
            },
            { key: 'restarts', title: t('appliance.services.restarts'), dataIndex: 'restarts', align: 'right' },
            { key: 'crashes', title: t('appliance.services.crashes'), dataIndex: 'crashes', align: 'right' },
            { key: 'lastExit', title: t('appliance.services.lastExit'), render: (_, s) => lastExitText(translator, s) },
          ]}
        />
      )}
    </Card>
  );
}

function lastExitText({ t, locale }: Translator, s: Service): string {
  const exit = s.lastExit;
  if (!exit) return '—';
  const how = exit.signal ? t('appliance.services.exitSignal', { signal: exit.signal }) : t('appliance.services.exitCode', { code: exit.code ?? '—' });
  const seconds = (exit.runtimeMs / 1000).toLocaleString(locale, { maximumFractionDigits: 1 });
  return `${how} · ${t('appliance.services.exitWhen', { time: formatLocalTime(exit.at), seconds })}`;
}
