import type { Locale } from '../../../main/contract/settings.contract';

const pad = (n: number): string => String(n).padStart(2, '0');

/**
 * `2025-03-14 09:26:53` in the viewer's local time zone. The same unambiguous shape in both
 * languages (engineers compare these against logs); column headers say "local time".
 */
export function formatLocalTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** The UTC offset of the viewer's zone, e.g. `UTC+08:00`, for tooltips next to local times. */
export function utcOffsetLabel(date: Date = new Date()): string {
  const minutes = -date.getTimezoneOffset();
  const sign = minutes >= 0 ? '+' : '-';
  const abs = Math.abs(minutes);
  return `UTC${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/*
 * Units: one convention per quantity, everywhere a person reads a number (tables, charts, inputs,
 * dictionary params). Every number carries its unit; digits are grouped for the locale (47,657).
 * - Storage capacity — disk and file-system sizes, raw / usable / used, growth per day, what-if
 *   disk sizes (input and output alike): decimal TB / GB (`formatCapacity`), as drives are sold
 *   and labelled, so an 8 TB drive reads 8 TB everywhere and "72 TB" never sits next to "65.5 TiB".
 * - Memory: binary GiB / MiB (`formatMemory`), as `free -h` and the DIMMs say.
 * - Rates: decimal bytes per second (`formatRate`: MB/s), the same family as capacity.
 * - Temperatures: °C (`formatCelsius`). Durations: with their units (`formatDuration`, `formatHours`).
 * - Percentages: a space before % (`formatPercent`). Counts: grouped (`formatCount`).
 */

const BINARY_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'] as const;
const DECIMAL_UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB'] as const;

function scaled(bytes: number, locale: Locale, base: number, units: readonly string[]): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '—';
  let value = bytes;
  let unit = 0;
  while (value >= base && unit < units.length - 1) {
    value /= base;
    unit++;
  }
  const digits = unit === 0 ? 0 : 1;
  return `${value.toLocaleString(locale, { minimumFractionDigits: digits, maximumFractionDigits: digits })} ${units[unit]}`;
}

/** `1.5 GiB`: memory, in binary units (what `free -h` shows), one decimal from KiB up. */
export function formatMemory(bytes: number, locale: Locale): string {
  return scaled(bytes, locale, 1024, BINARY_UNITS);
}

/**
 * `8.0 TB`: storage capacity in decimal units, for disks, file systems, raw / usable / used and the
 * what-if's inputs alike, so a drive sold as 8 TB reads 8 TB and not 7.3 TiB.
 */
export function formatCapacity(bytes: number, locale: Locale): string {
  return scaled(bytes, locale, 1000, DECIMAL_UNITS);
}

/** `12.5 MB/s`: a byte rate, decimal like capacity. */
export function formatRate(bytesPerSecond: number, locale: Locale): string {
  const bytes = formatCapacity(bytesPerSecond, locale);
  return bytes === '—' ? bytes : `${bytes}/s`;
}

/** `1,234`: a count with the locale's grouping. */
export function formatCount(n: number, locale: Locale): string {
  if (!Number.isFinite(n)) return '—';
  return n.toLocaleString(locale, { maximumFractionDigits: 0 });
}

/** `47,657 h`: power-on hours and other hour counts, grouped. */
export function formatHours(hours: number, locale: Locale): string {
  if (!Number.isFinite(hours)) return '—';
  return `${hours.toLocaleString(locale, { maximumFractionDigits: hours < 10 ? 1 : 0 })} h`;
}

/** `41 °C`, one decimal at most. */
export function formatCelsius(celsius: number, locale: Locale): string {
  if (!Number.isFinite(celsius)) return '—';
  return `${celsius.toLocaleString(locale, { maximumFractionDigits: 1 })} °C`;
}

const RELATIVE_STEPS: readonly [Intl.RelativeTimeFormatUnit, number][] = [
  ['second', 60],
  ['minute', 60],
  ['hour', 24],
  ['day', Number.POSITIVE_INFINITY],
];

// Building a formatter costs more than formatting; table cells call this for every visible row.
const relativeFormats = new Map<string, Intl.RelativeTimeFormat>();

/** `3 minutes ago` / `3 分钟前` (`3m ago` narrow, for table cells), in the largest whole unit up to days; `now` for under 10 s. */
export function formatRelativeTime(iso: string, nowMs: number, locale: Locale, style: Intl.RelativeTimeFormatStyle = 'long'): string {
  const then = new Date(iso).getTime();
  if (Number.isNaN(then)) return iso;
  let format = relativeFormats.get(`${locale} ${style}`);
  if (!format) relativeFormats.set(`${locale} ${style}`, (format = new Intl.RelativeTimeFormat(locale, { numeric: 'auto', style })));
  let value = (then - nowMs) / 1000;
  if (Math.abs(value) < 10) return format.format(0, 'second');
  for (const [unit, size] of RELATIVE_STEPS) {
    if (Math.abs(value) < size) return format.format(Math.trunc(value), unit);
    value /= size;
  }
  return format.format(Math.trunc(value), 'day');
}

/** `42.5 %` (a space before %, as both languages write it in this UI); fewer digits from 100. */
export function formatPercent(percent: number, locale: Locale, digits = 1): string {
  if (!Number.isFinite(percent)) return '—';
  return `${percent.toLocaleString(locale, { maximumFractionDigits: Math.abs(percent) >= 100 ? 0 : digits })} %`;
}

const DURATION_UNITS: Record<Locale, { d: string; h: string; min: string; s: string; ms: string }> = {
  en: { d: 'd', h: 'h', min: 'min', s: 's', ms: 'ms' },
  'zh-CN': { d: '天', h: '小时', min: '分钟', s: '秒', ms: '毫秒' },
};

/**
 * A span in its two largest units: `3 d 4 h`, `5 min 20 s`, `850 ms` (`3 天 4 小时` in Chinese);
 * past a year whole days only (`412 d`), which is how capacity dates are read.
 */
export function formatDuration(ms: number, locale: Locale): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  const u = DURATION_UNITS[locale];
  const join = (a: string, b: string) => `${a} ${b}`;
  const n = (v: number) => v.toLocaleString(locale, { maximumFractionDigits: 0 });
  if (ms < 1000) return `${n(Math.round(ms))} ${u.ms}`;
  const s = Math.floor(ms / 1000);
  const days = Math.floor(s / 86_400);
  if (days >= 365) return `${n(days)} ${u.d}`;
  const hours = Math.floor((s % 86_400) / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  const seconds = s % 60;
  if (days > 0) return hours ? join(`${n(days)} ${u.d}`, `${n(hours)} ${u.h}`) : `${n(days)} ${u.d}`;
  if (hours > 0) return minutes ? join(`${n(hours)} ${u.h}`, `${n(minutes)} ${u.min}`) : `${n(hours)} ${u.h}`;
  if (minutes > 0) return seconds ? join(`${n(minutes)} ${u.min}`, `${n(seconds)} ${u.s}`) : `${n(minutes)} ${u.min}`;
  return `${n(seconds)} ${u.s}`;
}
