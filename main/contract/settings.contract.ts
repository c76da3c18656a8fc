import { z } from 'zod';
import { defineMethod } from './define';

export const LOCALES = ['en', 'zh-CN'] as const;
export const locale = z.enum(LOCALES);
export type Locale = z.infer<typeof locale>;

export const THEMES = ['system', 'light', 'dark'] as const;
export const theme = z.enum(THEMES);

/**
 * How long telemetry.sqlite keeps each resolution, in days. The 1-minute rollups must outlive the
 * raw samples (a late sample is merged into its minute from them). Read when the console starts.
 */
export const telemetryRetention = z
  .strictObject({
    rawDays: z.number().int().min(1).max(30),
    minuteDays: z.number().int().min(1).max(730),
    hourDays: z.number().int().min(1).max(3650),
  })
  .refine((r) => r.minuteDays >= r.rawDays, { message: 'Keep 1-minute averages at least as long as raw samples', path: ['minuteDays'], params: { code: 'retention-order' } });

export const settings = z.strictObject({
  /** null: follow the operating system (desktop) or the browser (headless). */
  locale: locale.nullable(),
  theme,
  telemetryRetention,
});
export type Settings = z.infer<typeof settings>;

export const settingsMethods = {
  'settings.get': defineMethod({
    summary: 'Read console settings (language, theme)',
    mutating: false,
    input: z.strictObject({}),
    output: settings,
  }),
  'settings.update': defineMethod({
    summary: 'Change console settings',
    mutating: true,
    events: ['settings.changed'],
    input: settings.partial().strict(),
    output: settings,
  }),
};

export const settingsEvents = {
  'settings.changed': settings,
};
