import { z } from 'zod';
import { defineMethod } from './define';
import { isoTime } from './common.schemas';

export const auditEntry = z.strictObject({
  id: z.number().int(),
  at: isoTime,
  host: z.enum(['desktop', 'serve', 'cli']),
  actor: z.string(),
  method: z.string(),
  target: z.string().nullable(),
  input: z.unknown(),
  /** ok; error: the call was refused; failed: it was taken but the operation it started failed (errorCode says why). */
  result: z.enum(['ok', 'error', 'failed']),
  errorCode: z.string().nullable(),
});
export type AuditEntry = z.infer<typeof auditEntry>;

export const auditMethods = {
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
