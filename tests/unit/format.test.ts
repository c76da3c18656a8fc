import { describe, expect, it } from 'vitest';
import { formatCapacity, formatCelsius, formatCount, formatDuration, formatHours, formatMemory, formatPercent, formatRate, utcOffsetLabel } from '../../renderer/src/i18n/format';
import { pluralCategory } from '../../renderer/src/i18n/plural';
import { createTranslator, interpolate } from '../../renderer/src/i18n/translate';

describe('formatters', () => {
  it('storage capacity in decimal units (as drives are sold), memory in binary units (as free -h says)', () => {
    // One convention per quantity: an 8 TB drive reads 8.0 TB, never 7.3 TiB beside a "TB" input.
    expect(formatCapacity(8e12, 'en')).toBe('8.0 TB');
    expect(formatCapacity(72e12, 'en')).toBe('72.0 TB');
    expect(formatCapacity(999, 'en')).toBe('999 B');
    expect(formatCapacity(1_500_000_000_000_000, 'zh-CN')).toBe('1.5 PB');
    expect(formatCapacity(1_234_000e12, 'en')).toBe('1.2 EB');
    expect(formatCapacity(-1, 'en')).toBe('—');
    expect(formatMemory(0, 'en')).toBe('0 B');
    expect(formatMemory(1536, 'en')).toBe('1.5 KiB');
    expect(formatMemory(64 * 2 ** 30, 'en')).toBe('64.0 GiB');
  });

  it('rates carry /s in the capacity family, and a broken value stays a dash', () => {
    expect(formatRate(12.5e6, 'en')).toBe('12.5 MB/s');
    expect(formatRate(Number.NaN, 'en')).toBe('—');
  });

  it('groups thousands wherever a number is read: hours, counts, °C, and message params', () => {
    expect(formatHours(47_657, 'en')).toBe('47,657 h');
    expect(formatHours(47_657, 'zh-CN')).toBe('47,657 h');
    expect(formatCount(1_234_567, 'en')).toBe('1,234,567');
    expect(formatCelsius(41.25, 'en')).toBe('41.3 °C');
    expect(interpolate('{n} h', { n: 47_657 }, 'en')).toBe('47,657 h');
    expect(interpolate('{n}', { n: 0.1 + 0.2 }, 'en')).toBe('0.3');
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

describe('plural rules', () => {
  it('come from Intl.PluralRules: English has one and other, Chinese only other', () => {
    expect(pluralCategory('en', 1)).toBe('one');
    expect(pluralCategory('en', 0)).toBe('other');
    expect(pluralCategory('en', 2)).toBe('other');
    expect(pluralCategory('zh-CN', 1)).toBe('other');
  });

  it('pick the form for the count: "1 sector", never "1 sectors"', () => {
    const en = createTranslator('en');
    expect(en.lookup('disks.reason.pending-sectors', { count: 1 })).toMatch(/^1 sector is pending/);
    expect(en.lookup('disks.reason.pending-sectors', { count: 1200 })).toMatch(/^1,200 sectors are pending/);
    expect(en.tp('fleet.count', { count: 1 })).toBe('1 appliance');
    expect(en.tp('fleet.count', { count: 1000 })).toBe('1,000 appliances');
    expect(en.tp('planner.survivesValue', { count: 1 })).toBe('1 disk failing');
    // Without {count}, the text's first number decides (alert params keep their names).
    expect(en.lookup('alerts.detail.service-flapping', { restarts: 1 })).toBe('Keeps crashing: restarted 1 time');
    expect(en.lookup('alerts.detail.service-flapping', { restarts: 3 })).toBe('Keeps crashing: restarted 3 times');
    const zh = createTranslator('zh-CN');
    expect(zh.tp('fleet.count', { count: 1 })).toBe('共 1 台设备');
    expect(zh.lookup('disks.reason.pending-sectors', { count: 1 })).toContain('1');
  });
});

