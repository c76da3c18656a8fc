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
  /** Which capture group is the secret (0: the whole match); with several, the first that matched. */
  group: number | number[];
  /** Which capture group names it (for a kind by key). */
  keyGroup?: number;
}

const KEY_WORDS = 'pass(?:word|wd|phrase)?|pwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credentials?|auth(?:orization)?|session[_-]?(?:id|key)|hotlink[_-]?key|sign(?:ing)?[_-]?key';
/**
 * A name holding one of the key words anywhere (`DB_PASSWORD`, `secretAccessKey`, `adminPassword`,
 * `x-api-key`), its prefix and suffix bounded so a long run of word characters costs linear time.
 */
const KEY_NAME = `([A-Za-z0-9_-]{0,40}?(?:${KEY_WORDS})[A-Za-z0-9_-]{0,40})`;

/** A named value's kind by its name: a password, a token, or another secret. */
const kindByKey = (key: string) => (/pass|pwd/i.test(key) ? 'password' : /token|session|auth/i.test(key) ? 'token' : 'secret');

const RULES: Rule[] = [
  { kind: 'private-key', pattern: /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z0-9 ]*PRIVATE KEY-----/g, group: 0 },
  // The scheme is bounded and must start a word: an unbounded `[a-z0-9+.-]*://` is quadratic on long dotted runs.
  { kind: 'url-password', pattern: /(?<![\w+.-])[a-z][a-z0-9+.-]{0,31}:\/\/[^\s:/@"'<>]{1,256}:([^\s@/"'<>]{1,512})@/gi, group: 1 },
  { kind: 'bearer', pattern: /\b(?:Bearer|Basic)\s+([A-Za-z0-9._~+/=-]{8,})/g, group: 1 },
  { kind: 'jwt', pattern: /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\b/g, group: 0 },
  { kind: 'signature', pattern: /\bX-Amz-Signature=([0-9a-fA-F]{16,})/g, group: 1 },
  { kind: 'access-key-id', pattern: /\b((?:AKIA|ASIA)[A-Z0-9]{16})\b/g, group: 1 },
  // "accessKeyId": "KODO…", access_key_id=…, X-Amz-Credential=KEY/…: named ids of any S3 store.
  { kind: 'access-key-id', pattern: /(?:access[_-]?key[_-]?id|AccessKey|X-Amz-Credential|\bak)\\?["']?\s*[:=]\s*\\?["']?([A-Z0-9]{16,64})\b/gi, group: 1 },
  // JSON: "…password…": "value" (the whole value, spaces and escapes included).
  { kind: kindByKey, pattern: new RegExp(`"${KEY_NAME}"\\s*:\\s*"((?:[^"\\\\]|\\\\.){1,512})"`, 'gi'), group: 2, keyGroup: 1 },
  // key=value and key: value: a quoted value whole, also inside JSON escaped into a string
  // (\"token\":\"…\"), else up to a separator; an authorization header's scheme is not the secret
  // (its credential is, above).
  {
    kind: kindByKey,
    pattern: new RegExp(
      `(?<![A-Za-z0-9])${KEY_NAME}(?:\\\\?["'])?\\s*[=:]\\s*(?!\\[SECRET-|\\\\?["']?\\[SECRET-|(?:Bearer|Basic)\\b)(?:\\\\"((?:[^"\\\\]|\\\\[^"]){1,512})\\\\"|"([^"\\n]{1,512})"|'([^'\\n]{1,512})'|([^\\s"'\\\\,;&}]{1,512}))`,
      'gi',
    ),
    group: [2, 3, 4, 5],
    keyGroup: 1,
  },
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
      const groups = Array.isArray(rule.group) ? rule.group : [rule.group];
      const group = groups.find((g) => g === 0 || typeof args[g] === 'string') ?? 0;
      const secret = (group === 0 ? match : (args[group] as string | undefined)) ?? '';
      if (secret === '' || secret.startsWith('[SECRET-')) return match;
      const kind = typeof rule.kind === 'string' ? rule.kind : rule.kind(String(args[rule.keyGroup ?? 1] ?? ''));
      const at = group === 0 ? 0 : match.lastIndexOf(secret);
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
