import type { z } from 'zod';

/**
 * One API method: its input and output schemas, and whether it changes state (mutating calls are
 * written to the audit log). Declared once here; both hosts validate against it before and after
 * calling the service, and the renderer's client is typed from it.
 */
export interface MethodSpec<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  input: I;
  output: O;
  mutating: boolean;
  /** One line for `--help`, docs and the audit log. */
  summary: string;
  /** Events a successful call may push to every open console (names from the domain's event map). */
  events?: readonly string[];
  /**
   * For a mutating call that starts an operation and answers with how it went (a provisioning
   * run): the reason code when the operation failed, so the audit row says `failed` with it
   * rather than `ok` (the call itself was taken). Null when it succeeded.
   */
  failureOf?: (output: z.output<O>) => string | null;
}

export function defineMethod<I extends z.ZodType, O extends z.ZodType>(spec: MethodSpec<I, O>): MethodSpec<I, O> {
  return spec;
}

export type MethodMap = Record<string, MethodSpec>;
export type EventMap = Record<string, z.ZodType>;
