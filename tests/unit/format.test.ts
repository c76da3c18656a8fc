import { describe, expect, it } from 'vitest';
import { formatBytes, formatDecimalBytes, formatDuration, formatPercent, formatRate, utcOffsetLabel } from '../../renderer/src/i18n/format';

describe('formatters', () => {
  it('bytes in binary units as df shows them; decimal units for drive labels', () => {
    expect(formatBytes(0, 'en')).toBe('0 B');
    expect(formatBytes(1536, 'en')).toBe('1.5 KiB');
    expect(formatBytes(8e12, 'en')).toBe('7.3 TiB');
    expect(formatDecimalBytes(8e12, 'en')).toBe('8.0 TB');
    expect(formatDecimalBytes(999, 'en')).toBe('999 B');
    expect(formatDecimalBytes(1_500_000_000_000_000, 'zh-CN')).toBe('1.5 PB');
    expect(formatDecimalBytes(-1, 'en')).toBe('—');
  });

  it('rates carry /s, and a broken value stays a dash', () => {
    expect(formatRate(12.5 * 1024 * 1024, 'en')).toBe('12.5 MiB/s');
    expect(formatRate(Number.NaN, 'en')).toBe('—');
  });

  it('percent with a space and locale digits', () => {
    expect(formatPercent(42.456, 'en')).toBe('42.5 %');
    expect(formatPercent(100, 'en')).toBe('100 %');
    expect(formatPercent(1234.5, 'en')).toBe('1,235 %');
    expect(formatPercent(Number.POSITIVE_INFINITY, 'en')).toBe('—');
  });

  it('durations in their two largest units, in both languages', () => {
    expect(formatDuration(850, 'en')).toBe('850 ms');
    expect(formatDuration(5 * 60_000 + 20_000, 'en')).toBe('5 min 20 s');
    expect(formatDuration(3 * 3_600_000, 'en')).toBe('3 h');
    expect(formatDuration((3 * 24 + 4) * 3_600_000 + 59_000, 'en')).toBe('3 d 4 h');
    expect(formatDuration((3 * 24 + 4) * 3_600_000, 'zh-CN')).toBe('3 天 4 小时');
    expect(formatDuration(412 * 86_400_000 + 5 * 3_600_000, 'en')).toBe('412 d');
    expect(formatDuration(-1, 'en')).toBe('—');
  });

  it('the UTC offset label for a zone east and west of Greenwich', () => {
    const at = (offsetMinutes: number) => ({ getTimezoneOffset: () => -offsetMinutes }) as Date;
    expect(utcOffsetLabel(at(480))).toBe('UTC+08:00');
    expect(utcOffsetLabel(at(-330))).toBe('UTC-05:30');
  });
});
