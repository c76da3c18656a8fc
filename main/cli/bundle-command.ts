import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import type { ConsoleServices } from '../compose';
import type { EventPayload, MethodOutput } from '../contract/api.contract';
import { verifyBundle } from '../support/bundle-file';
import { UsageError, type CliIo } from './cli-io';
import { caller, findAppliance, listAppliances } from './cli-calls';
import { EXIT, EXIT_CODES_HELP } from './exit-codes';

export const BUNDLE_HELP = `Usage: appliance-console bundle <appliance> --out FILE [--since 7d] [--max-size 200MB]
                                [--pseudonymize] [--redact REGEX …] [--json] [--data-dir DIR]
       appliance-console bundle verify FILE

A support bundle: the machine's agent logs since a time, its configs (never its token), SMART per
disk, inventory and kernel log (over SSH: no agent needed), and this console's history of it
(status, events, alerts, audit, metrics, disks, services, diagnose runs), in one .tar.gz with a
manifest and SHA-256 of every file. Passwords, tokens, private keys, S3 access key ids and secrets,
connection strings and bearer headers are redacted, the same secret as the same placeholder in
every file; the mapping back stays on this machine (0600, printed), never in the bundle.

Options:
  --out FILE        where to write the bundle (.tar.gz)
  --since AGE       how far back: 7d (default), 12h, 30d
  --max-size SIZE   the files' total before compression: 200MB (default), 1GB, 500MB
  --pseudonymize    host names and IP addresses become stable pseudonyms too
  --redact REGEX    another secret pattern (repeatable)
  --json            the result, machine-readable

verify FILE: checks every file against the manifest; a truncated or altered bundle is refused
naming the file that failed (exit ${EXIT.failure}).

${EXIT_CODES_HELP}`;

function parseAge(text: string): number {
  const m = /^(\d+)\s*([hd])$/i.exec(text.trim());
  if (!m) throw new UsageError(`--since takes an age like 7d or 12h, not "${text}"`);
  return Number(m[1]) * (m[2]!.toLowerCase() === 'd' ? 24 : 1);
}

function parseSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(MB|GB|M|G)$/i.exec(text.trim());
  if (!m) throw new UsageError(`--max-size takes a size like 200MB or 1GB, not "${text}"`);
  return Math.round(Number(m[1]) * (m[2]!.toUpperCase().startsWith('G') ? 1e9 : 1e6));
}

export async function runBundleCommand(argv: string[], io: CliIo, open: (dataDir?: string) => ConsoleServices, onInterrupt: (cancel: () => void) => void): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: true,
    options: {
      out: { type: 'string' },
      since: { type: 'string' },
      'max-size': { type: 'string' },
      pseudonymize: { type: 'boolean' },
      redact: { type: 'string', multiple: true },
      json: { type: 'boolean' },
      'data-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.out(BUNDLE_HELP);
    return EXIT.ok;
  }
  if (positionals[0] === 'verify') {
    const file = positionals[1];
    if (!file || positionals.length > 2) throw new UsageError('verify takes one bundle file');
    const result = await verifyBundle(file);
    if (!result.ok) {
      io.err(`error: ${file} is refused: ${result.problem}`);
      return EXIT.failure;
    }
    io.out(`${file}: intact — ${result.manifest.files.length} files match the manifest (${result.manifest.omitted.length} left out when it was made).`);
    return EXIT.ok;
  }
  const [ref, ...extra] = positionals;
  if (!ref) throw new UsageError('name the appliance (its name or id)');
  if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}"`);
  if (!values.out) throw new UsageError('bundle needs --out FILE');
  const services = open(values['data-dir']);
  try {
    const call = caller(services);
    const appliance = findAppliance(await listAppliances(call), ref);
    const runToken = randomUUID();
    onInterrupt(() => void call('bundle.cancel', { runToken }).catch(() => undefined));
    const off = services.events.subscribe((event, payload) => {
      const p = payload as EventPayload<'bundle.progress'>;
      if (event === 'bundle.progress' && p.runToken === runToken && !values.json) io.err(`  [${p.done}/${p.total}] ${p.step}`);
    });
    let r: MethodOutput<'bundle.create'>;
    try {
      r = (await call('bundle.create', {
        applianceId: appliance.id,
        ...(values.since ? { sinceHours: parseAge(values.since) } : {}),
        ...(values['max-size'] ? { maxBytes: parseSize(values['max-size']) } : {}),
        pseudonymize: values.pseudonymize === true,
        redactPatterns: values.redact ?? [],
        runToken,
      })) as MethodOutput<'bundle.create'>;
    } finally {
      off();
    }
    fs.copyFileSync(r.file, values.out);
    fs.rmSync(r.file);
    const result = { ...r, file: values.out };
    if (values.json) io.out(JSON.stringify(result, null, 2));
    else {
      const secrets = Object.entries(r.redaction.secrets).map(([k, n]) => `${n} ${k}`).join(', ') || 'none found';
      io.out(
        [
          `${values.out}: ${r.files} files, ${(r.bytes / 1e6).toFixed(1)} MB, SHA-256 ${r.sha256}`,
          `redacted: ${secrets}${r.redaction.pseudonyms.hosts + r.redaction.pseudonyms.ips ? `; pseudonyms: ${r.redaction.pseudonyms.hosts} hosts, ${r.redaction.pseudonyms.ips} addresses` : ''}`,
          ...(r.truncated.length ? [`cut to the size cap: ${r.truncated.join(', ')}`] : []),
          ...r.omitted.map((o) => `left out: ${o.path} (${o.why})`),
          `the mapping back to the originals stays here (0600, not in the bundle): ${r.mappingFile}`,
        ].join('\n'),
      );
    }
    return EXIT.ok;
  } finally {
    await services.close();
  }
}
