import { Typography } from 'antd';
import { useMemo } from 'react';
import { TimeSeriesChart } from '../../../components/charts/time-series-chart';
import { useElementSize } from '../../../hooks/use-element-size';
import { useI18n } from '../../../i18n/i18n-context';
import { historyColumn, historySpan, TRENDS, type HistoryPoint } from './disk-history';

/**
 * The drawer's "Over time": sectors, temperature and endurance from the agent's SMART readings.
 * Mounted with the drawer's content, so it measures its own width once it is on screen (measured
 * outside, in a drawer not yet opened, the width stayed 0 and the charts drew nothing at all).
 */
export function DiskTrends({ history }: { history: readonly HistoryPoint[] }) {
  const { t } = useI18n();
  const { ref, width } = useElementSize<HTMLDivElement>();
  const sorted = useMemo(() => history.slice().sort((a, b) => Date.parse(a.time) - Date.parse(b.time)), [history]);
  // The span is fixed per history: a chart re-drawn on every render would re-bucket its points.
  const span = useMemo(() => historySpan(sorted, Date.now()), [sorted]);
  const series = useMemo(() => TRENDS.map((trend) => trend.keys.map((k, i) => ({ name: t(trend.names[i]!), data: historyColumn(sorted, k) }))), [sorted, t]);
  return (
    <div ref={ref}>
      {sorted.length === 0 && <Typography.Paragraph type="secondary">{t('disks.trend.noHistory')}</Typography.Paragraph>}
      {TRENDS.map((trend, i) => (
        <div key={trend.id} data-testid="disk-trend" data-trend={trend.id}>
          <Typography.Text strong>{t(trend.title)}</Typography.Text>
          <TimeSeriesChart series={series[i]!} unit={trend.unit} from={span.from} to={span.to} width={width} height={160} testId={`disk-trend-${trend.id}`} />
        </div>
      ))}
    </div>
  );
}
