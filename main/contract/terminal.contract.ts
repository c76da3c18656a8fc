import { z } from 'zod';
import { entityId } from './common.schemas';
import { defineMethod } from './define';

/**
 * An interactive shell on an appliance (issue 10 §3), over its SSH connection; the page reads
 * output by long poll and sends what is typed. Opening one is audited (appliance, time, whether it
 * is recorded: the recording is `recordings/<appliance>-<time>.cast`); keystrokes are not (they are
 * the shell's, and may be secrets).
 */
const sessionId = z.string().uuid();
const size = { cols: z.number().int().min(10).max(500), rows: z.number().int().min(2).max(300) };

export const terminalMethods = {
  'terminal.open': defineMethod({
    summary: 'Open an interactive shell on an appliance (its login shell in a pty; optionally recorded as asciicast v2)',
    mutating: true,
    input: z.strictObject({ applianceId: entityId, ...size, record: z.boolean().default(false) }),
    output: z.strictObject({ sessionId, recording: z.string().nullable() }),
  }),
  'terminal.read': defineMethod({
    summary: "A shell's output after the last chunk the page saw (waits up to 25 s for some)",
    mutating: false,
    input: z.strictObject({ sessionId, after: z.number().int().min(0) }),
    output: z.strictObject({
      chunks: z.array(z.strictObject({ seq: z.number().int(), text: z.string() })),
      state: z.enum(['connecting', 'open', 'reconnecting', 'closed']),
      /** Output went by that the console no longer holds (the page was away long). */
      lost: z.boolean(),
    }),
  }),
  'terminal.input': defineMethod({
    summary: 'What the person typed or pasted, to the shell',
    mutating: false,
    input: z.strictObject({ sessionId, data: z.string().min(1).max(65_536) }),
    output: z.strictObject({ accepted: z.boolean() }),
  }),
  'terminal.resize': defineMethod({
    summary: "The terminal's new size",
    mutating: false,
    input: z.strictObject({ sessionId, ...size }),
    output: z.strictObject({ ok: z.literal(true) }),
  }),
  'terminal.close': defineMethod({
    summary: 'Close a shell',
    mutating: false,
    input: z.strictObject({ sessionId }),
    output: z.strictObject({ closed: z.boolean() }),
  }),
};
