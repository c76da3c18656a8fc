import { z } from 'zod';
import { defineMethod } from './define';
import { entityId } from './common.schemas';

/** Why a connection stopped; stable codes for scripts and for translation in the onboarding UI. */
export const SSH_FAILURE_CODES = [
  'name-not-resolved',
  'connection-refused',
  'timeout',
  'host-unreachable',
  'host-key-unknown',
  'host-key-changed',
  'auth-failed',
  'no-credential',
  'credential-unreadable',
  'sudo-password-required',
  'sudo-denied',
  'unsupported-platform',
  'protocol-error',
] as const;

export const fingerprint = z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}$/, { message: 'A fingerprint looks like SHA256: followed by 43 characters' });

export const connectionReport = z.strictObject({
  ok: z.boolean(),
  stage: z.enum(['connect', 'host-key', 'auth', 'sudo', 'platform', 'done']),
  /** TCP connect time, milliseconds. */
  latencyMs: z.number().nonnegative().nullable(),
  hostKey: z
    .strictObject({
      keyType: z.string(),
      fingerprint: z.string(),
      status: z.enum(['trusted', 'unknown', 'changed']),
      knownFingerprint: z.string().optional(),
    })
    .nullable(),
  auth: z.strictObject({ offered: z.array(z.string()).nullable(), tried: z.array(z.strictObject({ method: z.string(), accepted: z.boolean() })) }).nullable(),
  sudo: z.enum(['root', 'passwordless', 'with-password']).nullable(),
  platform: z.strictObject({ os: z.string(), kernel: z.string(), arch: z.string(), supported: z.boolean() }).nullable(),
  failure: z
    .strictObject({
      code: z.enum(SSH_FAILURE_CODES),
      message: z.string(),
      params: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
    })
    .nullable(),
});
export type ConnectionReport = z.infer<typeof connectionReport>;

export const onboardingMethods = {
  'onboarding.testConnection': defineMethod({
    summary: 'Try to log in: reachability, latency, host key, auth methods, sudo and platform',
    mutating: false,
    input: z.strictObject({ id: entityId, timeoutMs: z.number().int().min(1000).max(120_000).optional() }),
    output: connectionReport,
  }),
  'onboarding.acceptHostKey': defineMethod({
    summary: "Trust an appliance's SSH host key (the fingerprint a person compared)",
    mutating: true,
    input: z.strictObject({ id: entityId, fingerprint }),
    output: z.strictObject({ id: entityId, keyType: z.string(), fingerprint: z.string(), replaced: z.string().nullable() }),
  }),
};
