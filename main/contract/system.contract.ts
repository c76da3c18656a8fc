import { z } from 'zod';
import { defineMethod } from './define';
import { isoTime } from './common.schemas';

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

export const auditEntry = z.strictObject({
  id: z.number().int(),
  at: isoTime,
  host: z.enum(['desktop', 'serve', 'cli']),
  actor: z.string(),
  method: z.string(),
  target: z.string().nullable(),
  input: z.unknown(),
  result: z.enum(['ok', 'error']),
  errorCode: z.string().nullable(),
});
export type AuditEntry = z.infer<typeof auditEntry>;

export const systemMethods = {
  'system.info': defineMethod({
    summary: 'Console version, host kind, data directory and how secrets are protected',
    mutating: false,
    input: z.strictObject({}),
    output: z.strictObject({
      version: z.string(),
      host: z.enum(['desktop', 'serve', 'cli']),
      dataDir: z.string(),
      secretStorage: z.enum(['os-keychain', 'key-file']),
      schemaVersion: z.number().int(),
      osLocale: z.string(),
    }),
  }),
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
  'audit.list': defineMethod({
    summary: 'Read the audit log, newest first, a page at a time',
    mutating: false,
    input: z.strictObject({
      limit: z.number().int().min(1).max(500).default(100),
      /** Return entries older than this id (the previous page's `nextCursor`). */
      before: z.number().int().positive().optional(),
    }),
    output: z.strictObject({ entries: z.array(auditEntry), nextCursor: z.number().int().nullable() }),
  }),
};

export const systemEvents = {
  'settings.changed': settings,
  /** Another process (the CLI, another console on this data directory) changed the store: refetch. */
  'store.changedElsewhere': z.strictObject({}),
};
