import { Collapse, Descriptions, Progress, Typography } from 'antd';
import { memo, useMemo } from 'react';
import type { CapacityExplanation, CapacityFigures } from '../../../../main/contract/capacity.contract';
import type { Locale } from '../../../../main/contract/settings.contract';
import { TimeSeriesChart } from '../../components/charts/time-series-chart';
import { formatCapacity, formatPercent } from '../../i18n/format';
import { useI18n } from '../../i18n/i18n-context';
import type { Translator } from '../../i18n/translate';
import { useElementSize } from '../../hooks/use-element-size';

type Eta = NonNullable<NonNullable<CapacityFigures['forecast']>['until80']>;
const DAY_MS = 86_400_000;

/** "in 177 days (150–210) · 2026-07-01", "already reached", "not within 1,095 days", "not growing". */
export function etaText(tr: Translator, f: CapacityFigures, eta: Eta | null): string {
  const { t, locale } = tr;
  const fc = f.forecast;
  if (!fc) return t('capacity.eta.noForecast');
  if (!eta) return fc.plateauBytes !== null ? t('capacity.eta.levelsOff', { bytes: formatCapacity(fc.plateauBytes, locale) }) : fc.growing ? tr.tp('capacity.eta.beyond', { days: fc.horizonDays }) : t('capacity.eta.notGrowing');
  if (eta.expectedDays === 0) return t('capacity.eta.reached');
  const days = (d: number) => Math.round(d).toLocaleString(locale);
  const date = new Date(Date.now() + eta.expectedDays * DAY_MS);
  const iso = `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}-${String(date.getDate()).padStart(2, '0')}`;
  const range = eta.latestDays === null ? t('capacity.eta.rangeOpen', { earliest: days(eta.earliestDays) }) : t('capacity.eta.range', { earliest: days(eta.earliestDays), latest: days(eta.latestDays) });
  return tr.tp('capacity.eta.days', { days: Math.round(eta.expectedDays), range, date: iso });
}

/** A model line in the viewer's language: byte params formatted, the English text as fallback. */
export function explanationText(tr: Translator, e: CapacityExplanation, locale: Locale): string {
  const params: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(e.params)) params[k] = typeof v === 'number' && k.endsWith('Bytes') ? formatCapacity(v, locale) : v;
  const text = tr.lookup(`capacity.model.${e.code}`, params) ?? e.text;
  return e.code === 'trend' && e.params.seasonality === 1 ? `${text} ${tr.t('capacity.model.seasonality')}` : text;
}

/** Raw, usable, used (with %), days until 80 %, 90 % and full, and the model behind them. */
export function CapacitySummary({ figures, testId }: { figures: CapacityFigures; testId?: string }) {
  const tr = useI18n();
  const { t, locale } = tr;
  const f = figures;
  return (
    <div data-testid={testId}>
      <Descriptions size="small" column={{ xs: 1, sm: 2, lg: 3 }} bordered>
        <Descriptions.Item label={t('capacity.raw')}>{formatCapacity(f.rawBytes, locale)}</Descriptions.Item>
        <Descriptions.Item label={t('capacity.usable')}>
          {formatCapacity(f.usableBytes, locale)}
          <Typography.Text type="secondary">{f.layout ? ` (${f.layout.k}+${f.layout.m}, ${t('capacity.reserveShort', { percent: f.reservePercent })})` : ''}</Typography.Text>
        </Descriptions.Item>
        <Descriptions.Item label={t('capacity.used')}>
          <span data-testid="capacity-used">
            {formatCapacity(f.usedBytes, locale)}
            {f.usedPercent !== null && ` · ${formatPercent(f.usedPercent, locale)}`}
          </span>
          {f.usedPercent !== null && <Progress percent={Math.min(100, f.usedPercent)} showInfo={false} size="small" status={f.usedPercent >= 90 ? 'exception' : 'normal'} />}
        </Descriptions.Item>
        <Descriptions.Item label={t('capacity.growth')}>{f.forecast ? t('capacity.perDay', { bytes: formatCapacity(Math.max(0, f.forecast.slopeBytesPerDay), locale) }) : '—'}</Descriptions.Item>
        <Descriptions.Item label={t('capacity.until80')}>
          <span data-testid="until-80">{etaText(tr, f, f.forecast?.until80 ?? null)}</span>
        </Descriptions.Item>
        <Descriptions.Item label={t('capacity.until90')}>
          <span data-testid="until-90">{etaText(tr, f, f.forecast?.until90 ?? null)}</span>
        </Descriptions.Item>
        <Descriptions.Item label={t('capacity.untilFull')}>
          <span data-testid="until-full">{etaText(tr, f, f.forecast?.untilFull ?? null)}</span>
        </Descriptions.Item>
      </Descriptions>
      <Collapse
        ghost
        size="small"
        items={[
          {
            key: 'why',
            label: t('capacity.why'),
            children: (
              <ul style={{ margin: 0, paddingLeft: 18 }} data-testid="capacity-model">
                {f.model.map((e, i) => (
                  <li key={i}>
                    <Typography.Text type="secondary">{explanationText(tr, e, locale)}</Typography.Text>
                  </li>
                ))}
              </ul>
            ),
          },
        ]}
      />
    </div>
  );
}

/** Used data over the history, then the forecast with its band, against the 80/90/100 % lines. */
export const CapacityForecastChart = memo(function CapacityForecastChart({ figures }: { figures: CapacityFigures }) {
  const { t } = useI18n();
  const { ref, width } = useElementSize<HTMLDivElement>();
  const f = figures;
  const series = useMemo(() => {
    const out = [];
    if (f.history && f.history.t.length) out.push({ name: t('capacity.chart.used'), data: { t: f.history.t, min: f.history.usedBytes, avg: f.history.usedBytes, max: f.history.usedBytes } });
    const p = f.forecast?.projection;
    if (p && p.t.length) out.push({ name: t('capacity.chart.forecast'), dashed: true, data: { t: p.t, min: p.low, avg: p.expected, max: p.high } });
    return out;
  }, [f, t]);
  const from = f.history?.t[0] ?? Date.now() - 30 * DAY_MS;
  const to = f.forecast?.projection.t.at(-1) ?? Date.now();
  const lines = f.usableBytes > 0 ? [0.8, 0.9, 1].map((q) => ({ y: q * f.usableBytes, label: q === 1 ? t('capacity.chart.full') : `${q * 100} %`, color: q === 1 ? '#ff4d4f' : q === 0.9 ? '#fa8c16' : '#faad14' })) : [];
  return (
    <div ref={ref}>
      <TimeSeriesChart series={series} unit="capacity" from={from} to={to} width={width} height={260} referenceLines={lines} testId="capacity-chart" />
    </div>
  );
});
