/**
 * Field names that hold secrets anywhere in an API input. The audit log and every log line pass
 * inputs through `redactSecrets`, so a new secret field only needs its name added here.
 */
export const SECRET_KEYS: ReadonlySet<string> = new Set([
  'password',
  'privateKey',
  'passphrase',
  'sudoPassword',
  'token',
  'auth',
  // Service modules' configs (service.configure) may carry credentials by these names: an S3
  // secret key, an upstream's shared secret.
  'secret',
  'secretKey',
]);

export const REDACTED = '[redacted]';

export function redactSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (SECRET_KEYS.has(key)) {
      // Keep the shape visible (which kind of credential was set) without the secret itself.
      out[key] = key === 'auth' && v && typeof v === 'object' && 'kind' in v ? { kind: (v as { kind: unknown }).kind, secret: REDACTED } : v === null ? null : REDACTED;
    } else {
      out[key] = redactSecrets(v);
    }
  }
  return out;
}
