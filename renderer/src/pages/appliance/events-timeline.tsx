import { Button, Card, Flex, Spin, Timeline, Typography } from 'antd';
import type { ApplianceEvent } from '../../../../main/contract/status.contract';
import { useApplianceEvents } from '../../api/status-hooks';
import { QueryErrorAlert } from '../../components/query-error-alert';
import { formatLocalTime, utcOffsetLabel } from '../../i18n/format';
import { useI18n } from '../../i18n/i18n-context';
import type { Translator } from '../../i18n/translate';
import { reasonText, STATE_LABELS, type ConnectivityState } from './status-labels';

const COLORS: Record<ApplianceEvent['kind'], string> = { 'state-changed': 'blue', 'agent-restarted': 'orange', 'service-restarted': 'orange', 'agent-version-changed': 'green' };

/** What happened to the appliance, newest first, paged by cursor; new events appear on top as they happen. */
export function EventsTimeline({ applianceId }: { applianceId: string }) {
  const translator = useI18n();
  const { t } = translator;
  const query = useApplianceEvents(applianceId);
  const events = query.data?.pages.flatMap((p) => p.events) ?? [];
  return (
    <Card size="small" title={t('appliance.events.title')} extra={<Typography.Text type="secondary">{utcOffsetLabel()}</Typography.Text>} data-testid="appliance-events">
      {query.isError && <QueryErrorAlert error={query.error} onRetry={() => void query.refetch()} />}
      {query.isPending ? (
        <Spin />
      ) : events.length === 0 ? (
        <Typography.Text type="secondary">{t('appliance.events.none')}</Typography.Text>
      ) : (
        <Flex vertical gap={8}>
          <Timeline
            items={events.map((e) => ({
              key: e.id,
              color: COLORS[e.kind],
              content: (
                <div data-testid="appliance-event" data-kind={e.kind}>
                  <Typography.Text type="secondary" style={{ marginInlineEnd: 8 }}>
                    {formatLocalTime(e.at)}
                  </Typography.Text>
                  <Typography.Text>{eventText(translator, e)}</Typography.Text>
                  {e.kind === 'state-changed' && eventReason(translator, e) && (
                    <div>
                      <Typography.Text type="secondary">{t('status.reason', { reason: eventReason(translator, e) ?? '' })}</Typography.Text>
                    </div>
                  )}
                </div>
              ),
            }))}
          />
          {query.hasNextPage && (
            <Button onClick={() => void query.fetchNextPage()} loading={query.isFetchingNextPage} data-testid="events-load-more" style={{ alignSelf: 'center' }}>
              {t('appliance.events.loadMore')}
            </Button>
          )}
        </Flex>
      )}
    </Card>
  );
}

const isState = (v: unknown): v is ConnectivityState => typeof v === 'string' && v in STATE_LABELS;
const param = (v: string | number | null | undefined): string | number => v ?? '—';
/** A process id is a name, not a quantity: digits as they are (no "1,071"). */
const pidParam = (v: string | number | null | undefined): string => (v === null || v === undefined ? '—' : String(v));

/** The event in the viewer's language from its kind and params; the host's English text for anything unexpected. */
export function eventText({ t }: Translator, e: ApplianceEvent): string {
  const p = e.params;
  switch (e.kind) {
    case 'state-changed':
      if (!isState(p.from) || !isState(p.to)) return e.message;
      return t('appliance.events.stateChanged', { from: t(STATE_LABELS[p.from]), to: t(STATE_LABELS[p.to]) });
    case 'agent-restarted':
      return t('appliance.events.agentRestarted', { from: pidParam(p.previousPid), to: pidParam(p.pid) });
    case 'service-restarted':
      return t('appliance.events.serviceRestarted', { service: param(p.service), restarts: param(p.restarts), crashes: param(p.crashes) });
    case 'agent-version-changed':
      return t('appliance.events.agentVersionChanged', { from: param(p.from), to: param(p.to) });
    default:
      return e.message;
  }
}

/** A state change's reason: its code and parameters travel in the event's params (the watch spreads them there). */
function eventReason(translator: Translator, e: ApplianceEvent): string | null {
  const code = typeof e.params.reasonCode === 'string' ? e.params.reasonCode : null;
  const english = typeof e.params.reason === 'string' && e.params.reason ? e.params.reason : null;
  return reasonText(translator, code, e.params, english);
}
