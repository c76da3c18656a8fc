import { Alert, Button, Card, Empty, Flex, Select, Spin, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { useFleetList } from '../../api/fleet-hooks';
import { useKodoStatus } from '../../api/kodo-hooks';
import { QueryErrorAlert } from '../../components/query-error-alert';
import { useI18n } from '../../i18n/i18n-context';
import { reasonText } from '../../i18n/reason-text';
import { KodoBuckets } from './kodo-buckets';
import { KodoCharts } from './kodo-charts';
import { KodoKeys } from './kodo-keys';
import { KodoLayoutChooser } from './kodo-layout-chooser';
import { KodoObjectBrowser } from './kodo-object-browser';
import { KodoOverview } from './kodo-overview';

/**
 * Kodo, the object store, on one storage appliance (role "server"): the layout chooser until it is
 * initialized, then its layout and durability, disks and healing, buckets, access keys, traffic and
 * an object browser. When Kodo cannot be asked (not enabled, not running, the machine unreachable)
 * the section says why in the reader's language and shows nothing else.
 */
export function KodoSection() {
  const translator = useI18n();
  const { t } = translator;
  const fleet = useFleetList();
  const servers = useMemo(() => (fleet.data ?? []).filter((a) => a.role === 'server').sort((a, b) => a.name.localeCompare(b.name)), [fleet.data]);
  const [picked, setPicked] = useState<string | null>(null);
  const applianceId = picked && servers.some((a) => a.id === picked) ? picked : (servers[0]?.id ?? null);
  const status = useKodoStatus(applianceId);
  const [browsing, setBrowsing] = useState<string | null>(null);
  const s = status.data;

  return (
    <Card
      title={t('kodo.title')}
      data-testid="kodo-section"
      extra={
        servers.length > 0 && (
          <Flex gap={8} align="center">
            <Typography.Text type="secondary">{t('kodo.appliance')}</Typography.Text>
            <Select
              style={{ minWidth: 200 }}
              value={applianceId ?? undefined}
              options={servers.map((a) => ({ value: a.id, label: a.name }))}
              onChange={(id: string) => {
                setPicked(id);
                setBrowsing(null);
              }}
              data-testid="kodo-appliance"
            />
            <Button onClick={() => void status.refetch()} loading={status.isFetching} data-testid="kodo-refresh">
              {t('kodo.refresh')}
            </Button>
          </Flex>
        )
      }
    >
      {fleet.isError && <QueryErrorAlert error={fleet.error} />}
      {fleet.isSuccess && servers.length === 0 && <Empty description={t('kodo.noServers')} data-testid="kodo-no-servers" />}
      {applianceId && status.isPending && <Spin />}
      {status.isError && <QueryErrorAlert error={status.error} onRetry={() => void status.refetch()} />}
      {applianceId && s && !s.available && (
        <Alert
          type="warning"
          showIcon
          title={t('kodo.unavailable')}
          description={reasonText(translator, s.reasonCode, s.reasonParams, null) ?? t('kodo.unknownReason')}
          data-testid="kodo-unavailable"
          data-reason={s.reasonCode ?? ''}
        />
      )}
      {applianceId && s?.available && (
        <Flex vertical gap={16} data-testid="kodo-available">
          {s.problem && <Alert type="error" showIcon title={t('kodo.overview.problem', { problem: s.problem })} />}
          {!s.initialized && <KodoLayoutChooser applianceId={applianceId} status={s} />}
          {s.initialized && (
            <>
              <KodoOverview applianceId={applianceId} status={s} />
              <KodoBuckets applianceId={applianceId} buckets={s.buckets} onBrowse={setBrowsing} />
              {browsing && s.buckets.some((b) => b.name === browsing) && <KodoObjectBrowser key={`${applianceId}/${browsing}`} applianceId={applianceId} bucket={browsing} onClose={() => setBrowsing(null)} />}
              <KodoKeys applianceId={applianceId} buckets={s.buckets.map((b) => b.name)} />
              <KodoCharts applianceId={applianceId} />
            </>
          )}
        </Flex>
      )}
    </Card>
  );
}
