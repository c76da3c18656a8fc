import { z } from 'zod';
import { entityId } from './common.schemas';
import { defineMethod } from './define';

/**
 * Support bundles (issue 10 §2): one `.tar.gz` per appliance with the machine's logs, configs,
 * SMART and inventory and the console's history of it, every secret redacted consistently, a
 * manifest with SHA-256 per file, under a size cap. Written under the console's data directory
 * (`bundles/`, never a path a client names); the CLI copies it where `--out` says.
 */
/** A bundle's file name as bundle.create makes them: no directory, nothing else readable. */
const bundleName = z.string().regex(/^[\w.-]{1,200}\.tar\.gz$/, { message: 'expected a bundle file name (…tar.gz) as bundle.create answered' });

export const bundleMethods = {
  'bundle.create': defineMethod({
    summary: 'Collect a support bundle for an appliance (machine over SSH, console history), redacted, with a manifest and checksums; progress as bundle.progress',
    mutating: true,
    events: ['bundle.progress'],
    input: z.strictObject({
      applianceId: entityId,
      /** How far back logs and history go, in hours (default 7 days). */
      sinceHours: z.number().int().min(1).max(24 * 366).default(24 * 7),
      /** The files' total before compression, in bytes (default 200 MB). */
      maxBytes: z.number().int().min(1_000_000).max(20_000_000_000).default(200_000_000),
      /** Host names and IP addresses become stable pseudonyms too. */
      pseudonymize: z.boolean().default(false),
      /** More secrets to redact: regular expressions (each checked here). */
      redactPatterns: z
        .array(
          z
            .string()
            .min(1)
            .max(200)
            .refine((p) => {
              try {
                new RegExp(p, 'g');
                return !new RegExp(p, 'g').test('');
              } catch {
                return false;
              }
            }, { message: 'expected a regular expression that matches something (not the empty string)' }),
        )
        .max(50)
        .default([]),
      runToken: z.string().uuid().optional(),
    }),
    output: z.strictObject({
      file: z.string(),
      /** The bundle's file name under the data directory's bundles/ (what bundle.read takes). */
      name: z.string(),
      bytes: z.number().int(),
      sha256: z.string(),
      files: z.number().int(),
      omitted: z.array(z.strictObject({ path: z.string(), why: z.string() })),
      truncated: z.array(z.string()),
      redaction: z.strictObject({ secrets: z.record(z.string(), z.number().int()), pseudonyms: z.strictObject({ hosts: z.number().int(), ips: z.number().int() }) }),
      /** Placeholder → original, 0600 on this console's machine: never in the bundle. */
      mappingFile: z.string(),
    }),
  }),
  'bundle.read': defineMethod({
    summary: "A chunk of a bundle this console made (bundles/ in its data directory), for the page's download",
    mutating: false,
    input: z.strictObject({ name: bundleName, offset: z.number().int().min(0) }),
    output: z.strictObject({ data: z.string(), size: z.number().int(), done: z.boolean() }),
  }),
  'bundle.cancel': defineMethod({
    summary: 'Cancel a support bundle being collected (by the runToken it was started with); nothing is kept',
    mutating: false,
    input: z.strictObject({ runToken: z.string().uuid() }),
    output: z.strictObject({ cancelled: z.boolean() }),
  }),
};

export const bundleEvents = {
  'bundle.progress': z.strictObject({ applianceId: entityId, runToken: z.string().nullable(), done: z.number().int(), total: z.number().int(), step: z.string() }),
};
