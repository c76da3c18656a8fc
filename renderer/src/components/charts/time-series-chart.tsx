import { Flex, Spin, Tag, Typography } from 'antd';
import { memo, useMemo } from 'react';
import { Area, CartesianGrid, ComposedChart, Legend, Line, ReferenceLine, Tooltip, XAxis, YAxis } from 'recharts';
import { formatLocalTime, utcOffsetLabel } from '../../i18n/format';
import { useI18n } from '../../i18n/i18n-context';
import { type ChartUnit, downsample, formatTick, formatValue, joinSeries, type SeriesColumns, STALE_AFTER_MS, timeTicks } from './chart-data';

/** The value axis of a chart with nothing to draw yet: a plausible range for its unit, so the axes still say what it will show. */
const EMPTY_DOMAIN: Record<ChartUnit, [number, number]> = { percent: [0, 100], celsius: [0, 60], capacity: [0, 1e12], memory: [0, 2 ** 30], rate: [0, 1e6], count: [0, 10], ms: [0, 100], hours: [0, 100] };

/** Fewer points than this per 100 pixels: dots mark each (a line between sparse readings hides them; a single one draws nothing). */
const SPARSE_POINTS_PER_100PX = 4;

export const CHART_COLORS = ['#1677ff', '#52c41a', '#fa8c16', '#eb2f96', '#13c2c2', '#722ed1', '#faad14', '#a0d911', '#2f54eb', '#f5222d'];

export interface ChartSeries {
  /** Legend text (already translated, or a label value such as a mount or NIC). */
  name: string;
  data: SeriesColumns;
  /** Draw dashed (a total, a limit). */
  dashed?: boolean;
}

export interface TimeSeriesChartProps {
  series: readonly ChartSeries[];
  unit: ChartUnit;
  from: number;
  to: number;
  /** Pixel width (the caller measures it; queries ask for as many points). */
  width: number;
  height?: number;
  loading?: boolean;
  /** Newest sample time: "as of" is shown when it is older than STALE_AFTER_MS. */
  asOf?: number | null;
  now?: number;
  /** Horizontal lines with a label (capacity levels, thresholds). */
  referenceLines?: readonly { y: number; label: string; color?: string }[];
  testId?: string;
}

/**
 * The one time-series chart: per series an average line and, where points are rollups, a min–max
 * band; local time on the axis with the UTC offset; values in their unit on the axis and in the
 * tooltip; a legend; "no data yet" over its axes when empty; "as of" when stale. Series are bucketed to one point
 * per pixel before drawing (chart-data.ts), and nothing animates: a year of data draws at once.
 */
export const TimeSeriesChart = memo(function TimeSeriesChart(p: TimeSeriesChartProps) {
  const { t, locale } = useI18n();
  const height = p.height ?? 220;
  const plotWidth = Math.max(10, Math.floor(p.width) - 70);
  const { rows, banded } = useMemo(() => joinSeries(p.series.map((s) => downsample(s.data, p.from, p.to, plotWidth))), [p.series, p.from, p.to, plotWidth]);
  const ticks = useMemo(() => timeTicks(p.from, p.to, Math.max(2, Math.floor(plotWidth / 90))), [p.from, p.to, plotWidth]);
  const span = p.to - p.from;
  const stale = p.asOf != null && (p.now ?? Date.now()) - p.asOf > STALE_AFTER_MS;
  const empty = rows.length === 0;
  // An empty chart keeps its axes (the span and the unit) under "no data yet": two rows at the ends, no values.
  const drawn = useMemo(() => (empty ? [{ t: p.from }, { t: p.to }] : rows), [empty, rows, p.from, p.to]);
  const sparse = rows.length < (plotWidth / 100) * SPARSE_POINTS_PER_100PX;

  if (p.width <= 0) return <div style={{ height }} />;
  return (
    <div data-testid={p.testId} data-points={rows.length} data-state={p.loading ? 'loading' : empty ? 'empty' : 'drawn'} style={{ position: 'relative' }}>
      {stale && (
        <Tag color="warning" style={{ position: 'absolute', right: 0, top: 0, zIndex: 1 }} data-testid="chart-as-of">
          {t('charts.asOf', { time: formatLocalTime(new Date(p.asOf!).toISOString()) })}
        </Tag>
      )}
      {empty && (
        <Flex align="center" justify="center" style={{ position: 'absolute', left: 70, right: 12, top: 8, height: height - 40, zIndex: 1, pointerEvents: 'none' }}>
          {p.loading ? <Spin /> : <Typography.Text type="secondary" data-testid="chart-empty">{t('charts.noData')}</Typography.Text>}
        </Flex>
      )}
      <ComposedChart width={p.width} height={height} data={drawn} margin={{ top: 8, right: 12, bottom: 0, left: 0 }}>
        <CartesianGrid strokeDasharray="3 3" strokeOpacity={0.4} />
        <XAxis
          dataKey="t"
          type="number"
          scale="time"
          domain={[p.from, p.to]}
          ticks={ticks}
          tickFormatter={(v: number) => formatTick(v, span)}
          allowDataOverflow
          fontSize={11}
        />
        <YAxis width={70} fontSize={11} tickFormatter={(v: number) => formatValue(v, p.unit, locale)} domain={empty ? EMPTY_DOMAIN[p.unit] : p.unit === 'percent' ? [0, (max: number) => Math.max(100, Math.ceil(max))] : ['auto', 'auto']} />
        <Tooltip
          isAnimationActive={false}
          labelFormatter={(v) => `${formatLocalTime(new Date(Number(v)).toISOString())} (${utcOffsetLabel(new Date(Number(v)))})`}
          formatter={(value, name) => {
            if (Array.isArray(value)) return [`${formatValue(Number(value[0]), p.unit, locale)} – ${formatValue(Number(value[1]), p.unit, locale)}`, name];
            return [formatValue(Number(value), p.unit, locale), name];
          }}
        />
        {!empty && <Legend wrapperStyle={{ fontSize: 12 }} />}
        {p.series.map((s, k) =>
          banded[k] ? (
            <Area
              key={`b${k}`}
              dataKey={`b${k}`}
              name={t('charts.band', { name: s.name })}
              legendType="none"
              stroke="none"
              fill={CHART_COLORS[k % CHART_COLORS.length]}
              fillOpacity={0.15}
              isAnimationActive={false}
              connectNulls={false}
              activeDot={false}
            />
          ) : null,
        )}
        {p.series.map((s, k) => (
          <Line
            key={`a${k}`}
            dataKey={`a${k}`}
            name={s.name}
            stroke={CHART_COLORS[k % CHART_COLORS.length]}
            strokeDasharray={s.dashed ? '6 4' : undefined}
            dot={sparse ? { r: 2.5 } : false}
            strokeWidth={1.5}
            isAnimationActive={false}
            connectNulls={false}
          />
        ))}
        {p.referenceLines?.map((r) => (
          <ReferenceLine key={r.label} y={r.y} stroke={r.color ?? '#ff4d4f'} strokeDasharray="4 4" label={{ value: r.label, position: 'insideTopLeft', fontSize: 11 }} ifOverflow="extendDomain" />
        ))}
      </ComposedChart>
      <Typography.Text type="secondary" style={{ fontSize: 11 }}>
        {t('charts.timeAxis', { offset: utcOffsetLabel(new Date(p.to)) })}
      </Typography.Text>
    </div>
  );
});
