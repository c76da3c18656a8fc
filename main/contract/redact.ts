/**
 * Field names that hold secrets anywhere in an API input. The audit log and every log line pass
 * inputs through `redactSecrets`, so a new secret field only needs its name added here.
 */
// redactPatterns: a support bundle's extra patterns to redact, often the secrets themselves.
export const SECRET_KEYS: ReadonlySet<string> = new Set(['password', 'privateKey', 'passphrase', 'sudoPassword', 'token', 'auth', 'redactPatterns']);

/**
 * Names that say "secret" in any casing or compound, for inputs whose fields this file cannot list:
 * a service module's config (service.configure) is free-form — `secretAccessKey`, `rootPassword`,
 * `sharedSecret`, `apiToken`, `hotlinkKey`. Only a string is redacted under such a name, so a
 * switch like `requireToken: true` stays readable in the audit log.
 */
const SECRET_NAME = /pass(word|phrase)|secret|token|private.?key|access.?key|credential|hotlink.?key|sign(ing)?.?key/i;

/**
 * Names that match SECRET_NAME but are public identifiers: an S3 access key id is sent in the
 * clear with every request (it names the key; the secret is `secretKey`/`secretAccessKey`), and
 * an audit row of "revoked key KODO…" must say which key.
 */
const PUBLIC_NAMES: ReadonlySet<string> = new Set(['accessKeyId']);

export const REDACTED = '[redacted]';

export function redactSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (SECRET_KEYS.has(key)) {
      // Keep the shape visible (which kind of credential was set) without the secret itself.
      out[key] = key === 'auth' && v && typeof v === 'object' && 'kind' in v ? { kind: (v as { kind: unknown }).kind, secret: REDACTED } : v === null ? null : REDACTED;
    } else if (typeof v === 'string' && SECRET_NAME.test(key) && !PUBLIC_NAMES.has(key)) {
      out[key] = REDACTED;
    } else {
      out[key] = redactSecrets(v);
    }
  }
  return out;
}
