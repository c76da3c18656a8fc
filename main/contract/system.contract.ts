import { z } from 'zod';
import { defineMethod } from './define';

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
};

export const systemEvents = {
  /** Another process (the CLI, another console on this data directory) changed the store: refetch. */
  'system.changedElsewhere': z.strictObject({}),
};
