import { Segmented } from 'antd';
import type { RESOLUTIONS } from '../../../../main/contract/metrics.contract';
import { useI18n } from '../../i18n/i18n-context';
import type { PlainMessageKey } from '../../i18n/translate';

export const CHART_RANGES = ['1h', '6h', '24h', '7d', '30d', '1y'] as const;
export type ChartRange = (typeof CHART_RANGES)[number];

export const RANGE_MS: Record<ChartRange, number> = {
  '1h': 3_600_000,
  '6h': 6 * 3_600_000,
  '24h': 86_400_000,
  '7d': 7 * 86_400_000,
  '30d': 30 * 86_400_000,
  '1y': 365 * 86_400_000,
};

const RANGE_LABELS: Record<ChartRange, PlainMessageKey> = {
  '1h': 'charts.range.1h',
  '6h': 'charts.range.6h',
  '24h': 'charts.range.24h',
  '7d': 'charts.range.7d',
  '30d': 'charts.range.30d',
  '1y': 'charts.range.1y',
};

type Resolution = (typeof RESOLUTIONS)[number];

const RESOLUTION_LABELS: Record<Resolution, PlainMessageKey> = {
  raw: 'charts.resolution.raw',
  '1m': 'charts.resolution.1m',
  '1h': 'charts.resolution.1h',
};

/** 1 h … 1 y. */
export function RangePicker({ value, onChange }: { value: ChartRange; onChange(range: ChartRange): void }) {
  const { t } = useI18n();
  return (
    <Segmented<ChartRange>
      size="small"
      value={value}
      onChange={onChange}
      options={CHART_RANGES.map((r) => ({ value: r, label: <span data-testid={`range-${r}`}>{t(RANGE_LABELS[r])}</span> }))}
      data-testid="range-picker"
    />
  );
}

/** "1-minute averages": which resolution the store answered with. */
export function ResolutionLabel({ resolution }: { resolution: Resolution | undefined }) {
  const { t } = useI18n();
  if (!resolution) return null;
  return <span data-testid="chart-resolution">{t(RESOLUTION_LABELS[resolution])}</span>;
}
