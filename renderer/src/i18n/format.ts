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

/** Picks the `.one` or `.other` form of a counted message for this locale. */
export function pluralForm(locale: Locale, count: number): 'one' | 'other' {
  return new Intl.PluralRules(locale).select(count) === 'one' ? 'one' : 'other';
}

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'] as const;

/**
 * `1.5 GiB`: binary units (what `df -h`, `lsblk` and `free -h` show, so figures match the machine's
 * own tools), one decimal from KiB up, digits grouped for the locale.
 */
export function formatBytes(bytes: number, locale: Locale): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '—';
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  const digits = unit === 0 ? 0 : 1;
  return `${value.toLocaleString(locale, { minimumFractionDigits: digits, maximumFractionDigits: digits })} ${BYTE_UNITS[unit]}`;
}

/** Bytes as GiB with one decimal (file system usage is compared in one unit across rows). */
export function formatGiB(bytes: number, locale: Locale): string {
  return `${(bytes / 1024 ** 3).toLocaleString(locale, { minimumFractionDigits: 1, maximumFractionDigits: 1 })} GiB`;
}

const RELATIVE_STEPS: readonly [Intl.RelativeTimeFormatUnit, number][] = [
  ['second', 60],
  ['minute', 60],
  ['hour', 24],
  ['day', Number.POSITIVE_INFINITY],
];

// Building a formatter costs more than formatting; table cells call this for every visible row.
const relativeFormats = new Map<Locale, Intl.RelativeTimeFormat>();

/** `3 minutes ago` / `3 分钟前`, in the largest whole unit up to days; `now` for under 10 s. */
export function formatRelativeTime(iso: string, nowMs: number, locale: Locale): string {
  const then = new Date(iso).getTime();
  if (Number.isNaN(then)) return iso;
  let format = relativeFormats.get(locale);
  if (!format) relativeFormats.set(locale, (format = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' })));
  let value = (then - nowMs) / 1000;
  if (Math.abs(value) < 10) return format.format(0, 'second');
  for (const [unit, size] of RELATIVE_STEPS) {
    if (Math.abs(value) < size) return format.format(Math.trunc(value), unit);
    value /= size;
  }
  return format.format(Math.trunc(value), 'day');
}

/** `12.5 MiB/s`: a byte rate in the same binary units as formatBytes. */
export function formatRate(bytesPerSecond: number, locale: Locale): string {
  const bytes = formatBytes(bytesPerSecond, locale);
  return bytes === '—' ? bytes : `${bytes}/s`;
}

/**
 * `8.0 TB`: decimal units, for what vendors label in them (drive capacities, disks to buy), so a
 * drive sold as 8 TB reads 8 TB and not 7.3 TiB.
 */
export function formatDecimalBytes(bytes: number, locale: Locale): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '—';
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  const digits = unit === 0 ? 0 : 1;
  return `${value.toLocaleString(locale, { minimumFractionDigits: digits, maximumFractionDigits: digits })} ${units[unit]}`;
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
