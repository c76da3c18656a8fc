import { Card, Typography } from 'antd';
import { memo, useMemo } from 'react';
import { type SeriesRequest, useMetricSeries } from '../../../api/monitoring-hooks';
import type { ChartUnit } from '../../../components/charts/chart-data';
import { ResolutionLabel } from '../../../components/charts/range-picker';
import { type ChartSeries, TimeSeriesChart } from '../../../components/charts/time-series-chart';
import { QueryErrorAlert } from '../../../components/query-error-alert';
import { useElementSize } from '../../../hooks/use-element-size';

export interface ChartLine extends SeriesRequest {
  /** Legend text. */
  name: string;
  dashed?: boolean;
}

/** Width is snapped so a window being resized does not send a query per pixel. */
const WIDTH_STEP = 50;

/**
 * One overview chart: its series fetched at the card's pixel width over the shared range, the
 * resolution the store answered with under the title.
 */
export const MetricChartCard = memo(function MetricChartCard(p: {
  applianceId: string;
  title: string;
  unit: ChartUnit;
  lines: readonly ChartLine[];
  range: { from: number; to: number };
  asOf: number | null;
  testId: string;
}) {
  const { ref, width } = useElementSize<HTMLDivElement>();
  const snapped = Math.floor(width / WIDTH_STEP) * WIDTH_STEP;
  const { data, loading, error } = useMetricSeries(p.applianceId, p.lines, p.range, snapped);
  const series = useMemo<ChartSeries[]>(
    () => p.lines.flatMap((l, i) => (data[i] ? [{ name: l.name, dashed: l.dashed, data: data[i] }] : [])),
    [p.lines, data],
  );
  const resolution = data.find((d) => d)?.resolution;
  return (
    <Card
      size="small"
      title={p.title}
      extra={
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          <ResolutionLabel resolution={resolution} />
        </Typography.Text>
      }
      data-testid={p.testId}
      data-resolution={resolution ?? ''}
      data-loading={loading ? 'true' : 'false'}
    >
      <div ref={ref} style={{ width: '100%' }}>
        {error && <QueryErrorAlert error={error} />}
        <TimeSeriesChart series={series} unit={p.unit} from={p.range.from} to={p.range.to} width={width} loading={loading} asOf={p.asOf} testId={`${p.testId}-chart`} />
      </div>
    </Card>
  );
});
