import type { Locale } from '../../../main/contract/system.contract';

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
