import * as z from 'zod/mini';
import { IsoTimeSchema } from './common';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * A cursor names one log entry of one agent run: `<runId>.<seq>`. After an agent restart the run
 * id changes, the old cursor no longer matches, and the answer starts from the oldest entry kept
 * (with `reset: true`) so the console knows to backfill rather than to trust continuity.
 */
export const LogCursorSchema = z.string().check(z.regex(/^[a-z0-9]{1,32}\.[0-9]{1,15}$/, 'expected <runId>.<seq>'));

export const LogsParamsSchema = z.strictObject({
  /** Entries after this cursor; omitted: the most recent `limit` entries. */
  after: z.optional(LogCursorSchema),
  limit: z._default(z.number().check(z.int(), z.minimum(1), z.maximum(1000)), 200),
  /** Only entries of this service (its stdout/stderr and the supervisor's lines about it). */
  service: z.optional(z.string().check(z.maxLength(64))),
  minLevel: z.optional(z.enum(LOG_LEVELS)),
});

/** One structured log line, as written to agent.log and served by `logs.v1`. */
export const LogRecordSchema = z.object({
  time: IsoTimeSchema,
  level: z.enum(LOG_LEVELS),
  /** Dotted event name: `agent.started`, `service.exited`, `service.output`, `control.unauthorized`. */
  event: z.string().check(z.maxLength(64)),
  service: z.optional(z.string().check(z.maxLength(64))),
  msg: z.optional(z.string().check(z.maxLength(8192))),
  data: z.optional(z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]))),
});
export type LogRecord = z.infer<typeof LogRecordSchema>;

export const LogEntrySchema = z.extend(LogRecordSchema, { cursor: LogCursorSchema });
export type LogEntry = z.infer<typeof LogEntrySchema>;

export const LogsResultSchema = z.object({
  entries: z.array(LogEntrySchema).check(z.maxLength(1000)),
  /** Pass as `after` to continue; null when nothing was ever logged. */
  nextCursor: z.nullable(LogCursorSchema),
  /** The cursor did not belong to this agent run, or pointed before the oldest entry kept. */
  reset: z.boolean(),
  /** More entries than `limit` matched; ask again with `nextCursor`. */
  more: z.boolean(),
});
export type LogsResult = z.infer<typeof LogsResultSchema>;
