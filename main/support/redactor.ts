/**
 * Consistent redaction for support bundles (issue 10 §2): every secret found in any file becomes
 * a placeholder naming its kind and a number, and the same secret gets the same placeholder in
 * every file of the bundle (`[SECRET-password-3]` wherever that password appeared), so support can
 * still follow one credential through the logs without seeing it. With `pseudonymize`, host names
 * and IP addresses become stable pseudonyms too (`host-2`, `ip-5`). The mapping back stays with the
 * engineer (`mapping()`, written 0600 beside the console's data, never into the bundle).
 *
 * What counts as a secret (the kinds): PEM private keys, passwords and tokens in `key=value`,
 * `key: value` and JSON `"key": "value"` form (password, passwd, pwd, secret, token, api key,
 * access key, private key, credential, auth…), bearer and basic authorization headers, user:password
 * in URLs (connection strings), AWS-style access key ids (AKIA…) and Kodo's (20 upper-case
 * letters and digits) when named as one, secret keys beside them, JWTs, and whatever patterns the
 * person adds. Order matters: whole structures (a PEM block, a URL's password) go before the
 * generic key=value rule, so a value is replaced once, as one secret.
 */

export interface RedactionOptions {
  /** Replace host names and IP addresses with stable pseudonyms. */
  pseudonymize?: boolean;
  /** More patterns (regular expression sources); each match is a secret of kind "custom". */
  extraPatterns?: string[];
  /** Host names known to be the appliance's or the console's (pseudonymized wherever they appear). */
  knownHosts?: string[];
}

interface Rule {
  /** The secret's kind, or a function of the matched key (`password`, `token`, `secret`). */
  kind: string | ((key: string) => string);
  pattern: RegExp;
  /** Which capture group is the secret (0: the whole match). */
  group: number;
  /** Which capture group names it (for a kind by key). */
  keyGroup?: number;
}

const KEY_WORDS = '(pass(?:word|wd|phrase)?|pwd|secret(?:[_-]?key)?|token|api[_-]?key|access[_-]?key(?:[_-]?id)?|private[_-]?key|credentials?|auth(?:orization)?[_-]?(?:token|key)?|session[_-]?(?:id|key)|sudo[_-]?password|client[_-]?secret)';

/** A named value's kind by its name: a password, a token, or another secret. */
const kindByKey = (key: string) => (/pass|pwd/i.test(key) ? 'password' : /token|session|auth/i.test(key) ? 'token' : 'secret');

const RULES: Rule[] = [
  { kind: 'private-key', pattern: /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z0-9 ]*PRIVATE KEY-----/g, group: 0 },
  { kind: 'url-password', pattern: /\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@"'<>]+:([^\s@/"'<>]+)@/gi, group: 1 },
  { kind: 'bearer', pattern: /\b(?:Bearer|Basic)\s+([A-Za-z0-9._~+/=-]{8,})/g, group: 1 },
  { kind: 'jwt', pattern: /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\b/g, group: 0 },
  { kind: 'access-key-id', pattern: /\b((?:AKIA|ASIA)[A-Z0-9]{16})\b/g, group: 1 },
  // "accessKeyId": "KODO…", access_key_id=…: named ids of any S3 store.
  { kind: 'access-key-id', pattern: /(?:access[_-]?key[_-]?id|accessKeyId|AccessKey|\bak)\\?["']?\s*[:=]\s*\\?["']?([A-Z0-9]{16,64})\b/gi, group: 1 },
  { kind: kindByKey, pattern: new RegExp(`"${KEY_WORDS}"\\s*:\\s*"((?:[^"\\\\]|\\\\.){1,512})"`, 'gi'), group: 2, keyGroup: 1 },
  // key=value and key: value, quoted or not, also inside JSON escaped into a string (\"token\":\"…\");
  // an authorization header's scheme is not the secret (its credential is, above).
  { kind: kindByKey, pattern: new RegExp(`\\b${KEY_WORDS}(?:\\\\?["'])?\\s*[=:]\\s*(?:\\\\?["'])?(?!\\[SECRET-|(?:Bearer|Basic)\\b)([^\\s"'\\\\,;&}]{1,512})`, 'gi'), group: 2, keyGroup: 1 },
];

/** IPv4, and IPv6 in full (8 groups) or compressed with '::' (so never a time like 12:30:45). */
const IPV4 = /\b(?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3}\b/g;
const IPV6 = /(?<![\w:.])(?:(?:[0-9a-f]{1,4}:){7}[0-9a-f]{1,4}|(?:[0-9a-f]{1,4}:){1,6}(?::[0-9a-f]{1,4}){1,6}|(?:[0-9a-f]{1,4}:){1,7}:|::(?:[0-9a-f]{1,4}:){0,5}[0-9a-f]{1,4})(?![\w:])/gi;
/** Addresses that say nothing about a site: loopback, unspecified, link-local all-nodes. */
const PLAIN_ADDRESSES = new Set(['127.0.0.1', '0.0.0.0', '::1', '::', '255.255.255.255']);

export interface RedactionSummary {
  /** Distinct secrets per kind (never the secrets). */
  secrets: Record<string, number>;
  pseudonyms: { hosts: number; ips: number };
}

export function createRedactor(options: RedactionOptions = {}) {
  const secretIds = new Map<string, string>();
  const counts: Record<string, number> = {};
  const pseudonyms = new Map<string, string>();
  let hosts = 0;
  let ips = 0;
  const custom: Rule[] = (options.extraPatterns ?? []).map((source) => ({ kind: 'custom', pattern: new RegExp(source, 'g'), group: 0 }));
  const knownHosts = [...new Set((options.knownHosts ?? []).filter((h) => h.length >= 2))].sort((a, b) => b.length - a.length);

  const placeholder = (kind: string, value: string) => {
    // One secret, one placeholder, whichever rule met it first and also where a log escaped it
    // into a JSON string (\n, \"): the value alone is the identity.
    const key = value.replace(/\\n/g, '\n').replace(/\\r/g, '\r').replace(/\\t/g, '\t').replace(/\\(["\\/])/g, '$1');
    let id = secretIds.get(key);
    if (!id) {
      counts[kind] = (counts[kind] ?? 0) + 1;
      id = `[SECRET-${kind}-${counts[kind]}]`;
      secretIds.set(key, id);
    }
    return id;
  };
  const pseudonym = (value: string, kind: 'host' | 'ip') => {
    const key = value.toLowerCase();
    let p = pseudonyms.get(key);
    if (!p) {
      p = kind === 'host' ? `host-${++hosts}` : `ip-${++ips}`;
      pseudonyms.set(key, p);
    }
    return p;
  };

  function apply(text: string, rule: Rule): string {
    return text.replace(rule.pattern, (...args: unknown[]) => {
      const match = args[0] as string;
      const secret = (rule.group === 0 ? match : (args[rule.group] as string | undefined)) ?? '';
      if (secret === '' || secret.startsWith('[SECRET-')) return match;
      const kind = typeof rule.kind === 'string' ? rule.kind : rule.kind(String(args[rule.keyGroup ?? 1] ?? ''));
      const at = rule.group === 0 ? 0 : match.lastIndexOf(secret);
      return match.slice(0, at) + placeholder(kind, secret) + match.slice(at + secret.length);
    });
  }

  return {
    redact(text: string): string {
      let out = text;
      for (const rule of [...RULES, ...custom]) out = apply(out, rule);
      if (options.pseudonymize) {
        for (const host of knownHosts) out = out.replace(new RegExp(`\\b${host.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`, 'gi'), (h) => pseudonym(h, 'host'));
        out = out.replace(IPV4, (ip) => (PLAIN_ADDRESSES.has(ip) ? ip : pseudonym(ip, 'ip')));
        out = out.replace(IPV6, (ip) => (PLAIN_ADDRESSES.has(ip.toLowerCase()) ? ip : pseudonym(ip, 'ip')));
      }
      return out;
    },
    summary(): RedactionSummary {
      return { secrets: { ...counts }, pseudonyms: { hosts, ips } };
    },
    /** Placeholder → original: for the engineer's machine only. */
    mapping(): Record<string, string> {
      const out: Record<string, string> = {};
      for (const [value, id] of secretIds) out[id] = value;
      for (const [value, p] of pseudonyms) out[p] = value;
      return out;
    },
  };
}
export type Redactor = ReturnType<typeof createRedactor>;
