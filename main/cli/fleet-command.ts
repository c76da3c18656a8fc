import fs from 'node:fs';
import { parseArgs } from 'node:util';
import type { Appliance } from '../contract/fleet.contract';
import type { MethodInput } from '../contract/api.contract';
import { formatEndpoint, formatLogin } from '../contract/network-address';
import type { ConnectionReport } from '../contract/onboarding.contract';
import type { ApplianceStatus } from '../contract/status.contract';
import { parseApplianceCsv } from '../contract/fleet-csv';
import type { ConsoleServices } from '../compose';
import { ApiError } from '../contract/errors';
import { UsageError, type CliIo } from './cli-io';
import { EXIT, EXIT_CODES_HELP, reportApiError } from './exit-codes';
import { caller, findAppliance, listAppliances, type Call } from './cli-calls';

export const FLEET_HELP = `Usage: appliance-console fleet <command> [options]

Manage the appliances this console knows about.

Commands:
  list                    List appliances
      --filter TEXT       only those whose name, address, user, tags or notes contain TEXT
      --role server|smartbox
      --tag TAG
  show <name|id>          Show one appliance
  add                     Register an appliance
      --name NAME         (required) display name, unique
      --address HOST      (required) host name, IPv4 or IPv6 address
      --port N            SSH port (default 22)
      --user USER         SSH user (default root)
      --role ROLE         server (default) or smartbox
      --tag TAG           may be repeated
      --notes TEXT
      --key FILE          private key file for SSH login
      --passphrase-stdin  read the key's passphrase from standard input
      --password-stdin    read the SSH password from standard input
  import FILE.csv         Register many appliances from CSV, all or none
                          (header: name,address[,port,user,role,tags,notes]; tags separated by ;)
      --key FILE | --password-stdin   one login for all of them (optional)
  remove <name|id>        Remove an appliance and its stored credentials
  test <name|id>          Try to log in: reachability, latency, host key, auth methods, sudo, platform
      --timeout SECONDS   give up after this long (default 15)
  status [name|id …]      Check each appliance now (SSH and agent): online, degraded or offline
                          since when, agent version, last seen, and why when not online
      --cached            print what the console last saw instead of checking (no SSH)
  trust <name|id>         Accept the appliance's SSH host key after comparing its fingerprint
      --fingerprint FP    (required) SHA256:… as \`fleet test\` and ssh-keygen -l print it

Common options:
  --json                  machine-readable output
  --data-dir DIR          console data directory (default: $APPLIANCE_CONSOLE_DATA_DIR or the XDG data dir)
  -h, --help              this help

${EXIT_CODES_HELP}`;

/** Terminal columns a string takes: CJK and full-width characters take two. */
function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) w += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u.test(ch) ? 2 : 1;
  return w;
}

function table(rows: Appliance[]): string {
  const head = ['NAME', 'ADDRESS', 'PORT', 'USER', 'ROLE', 'TAGS', 'CREDENTIAL'];
  const body = rows.map((a) => [a.name, a.address, String(a.port), a.user, a.role, a.tags.join(','), a.credential.kind ?? '-']);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => displayWidth(r[i] ?? ''))));
  const line = (cells: string[]) => cells.map((c, i) => c + ' '.repeat(Math.max(0, (widths[i] ?? 0) - displayWidth(c)))).join('  ').trimEnd();
  return [line(head), ...body.map(line)].join('\n');
}

function details(a: Appliance): string {
  return [
    `Name:        ${a.name}`,
    `Id:          ${a.id}`,
    `Address:     ${formatEndpoint(a.address, a.port)}`,
    `User:        ${a.user}`,
    `Role:        ${a.role}`,
    `Tags:        ${a.tags.join(', ') || '-'}`,
    `Credential:  ${a.credential.kind ?? 'none'}${a.credential.hasPassphrase ? ' (with passphrase)' : ''}${a.credential.hasSudoPassword ? ', sudo password stored' : ''}`,
    `Notes:       ${a.notes || '-'}`,
    `Created:     ${a.createdAt}`,
    `Updated:     ${a.updatedAt}`,
  ].join('\n');
}

function describeReport(a: Appliance, r: ConnectionReport): string {
  const lines = [`${a.name} (${formatLogin(a.user, a.address, a.port)}): ${r.ok ? 'OK' : `FAILED at ${r.stage}`}`];
  if (r.latencyMs !== null) lines.push(`  latency:   ${r.latencyMs} ms (TCP connect)`);
  if (r.hostKey) lines.push(`  host key:  ${r.hostKey.keyType} ${r.hostKey.fingerprint} (${r.hostKey.status}${r.hostKey.knownFingerprint ? `; accepted was ${r.hostKey.knownFingerprint}` : ''})`);
  if (r.auth) {
    const tried = r.auth.tried.map((t) => `${t.method} ${t.accepted ? 'accepted' : 'rejected'}`).join(', ') || 'nothing';
    lines.push(`  auth:      tried ${tried}; server accepts ${r.auth.offered?.join(', ') ?? 'unknown'}`);
  }
  if (r.platform) lines.push(`  platform:  ${r.platform.os} ${r.platform.kernel} ${r.platform.arch}${r.platform.supported ? '' : ' (unsupported)'}`);
  if (r.sudo) lines.push(`  sudo:      ${r.sudo}`);
  if (r.failure) lines.push(`  problem:   ${r.failure.message}`);
  if (r.failure?.code === 'host-key-unknown' || r.failure?.code === 'host-key-changed') {
    lines.push(`  to trust it after comparing: appliance-console fleet trust ${JSON.stringify(a.name)} --fingerprint ${r.hostKey?.fingerprint ?? ''}`);
  }
  return lines.join('\n');
}

/** --key FILE [--passphrase-stdin] or --password-stdin: the login to store, if any. */
export async function readLoginFlags(
  values: { key?: string; 'passphrase-stdin'?: boolean; 'password-stdin'?: boolean },
  io: CliIo,
): Promise<MethodInput<'fleet.add'>['auth']> {
  if (values['password-stdin'] && values.key) throw new UsageError('choose --key or --password-stdin, not both');
  if (values['passphrase-stdin'] && !values.key) throw new UsageError('--passphrase-stdin needs --key');
  if (values.key) {
    let privateKey: string;
    try {
      privateKey = fs.readFileSync(values.key, 'utf8');
    } catch (err) {
      throw new UsageError(`cannot read key file ${values.key}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
    const passphrase = values['passphrase-stdin'] ? (await io.readStdin()).replace(/\r?\n$/, '') : undefined;
    return { kind: 'private-key', privateKey, ...(passphrase ? { passphrase } : {}) };
  }
  if (values['password-stdin']) return { kind: 'password', password: (await io.readStdin()).replace(/\r?\n$/, '') };
  return undefined;
}

/** Accepts a name (case-insensitive) or an id, as people type either. */
const STATUS_CONCURRENCY = 16;

/** Checks each appliance (at most STATUS_CONCURRENCY at a time); one that fails to check still gets a row. */
async function checkEach(call: Call, appliances: Appliance[]): Promise<ApplianceStatus[]> {
  const out: ApplianceStatus[] = [];
  let next = 0;
  const worker = async () => {
    while (next < appliances.length) {
      const a = appliances[next++]!;
      out.push((await call('status.checkNow', { id: a.id })) as ApplianceStatus);
    }
  };
  await Promise.all(Array.from({ length: Math.min(STATUS_CONCURRENCY, appliances.length) }, worker));
  return out;
}

function statusTable(rows: { name: string; status: ApplianceStatus | null }[]): string {
  const head = ['NAME', 'STATE', 'SINCE', 'AGENT', 'LAST SEEN', 'REASON'];
  const body = rows.map(({ name, status: s }) => [
    name,
    s?.state ?? 'unknown',
    s ? localTime(s.since) : '-',
    s?.agent?.version ?? '-',
    s?.lastSeenAt ? localTime(s.lastSeenAt) : 'never',
    s?.reason ?? '',
  ]);
  const widths = head.map((h, i) => (i === head.length - 1 ? 0 : Math.max(h.length, ...body.map((r) => displayWidth(r[i] ?? '')))));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c + ' '.repeat(widths[i]! - displayWidth(c)))).join('  ').trimEnd();
  return [line(head), ...body.map(line)].join('\n');
}

/** Local time with its UTC offset, as people read logs: 2026-11-24 09:12:05 +08:00. */
function localTime(iso: string): string {
  const d = new Date(iso);
  const pad = (n: number) => String(Math.abs(n)).padStart(2, '0');
  const off = -d.getTimezoneOffset();
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())} ${off < 0 ? '-' : '+'}${pad(Math.trunc(off / 60))}:${pad(off % 60)}`;
}

async function resolveAppliance(call: Call, ref: string): Promise<Appliance> {
  return findAppliance(await listAppliances(call), ref);
}

export async function runFleetCommand(argv: string[], io: CliIo, open: (dataDir?: string) => ConsoleServices): Promise<number> {
  const [sub, ...rest] = argv;
  if (!sub || sub === '-h' || sub === '--help' || sub === 'help') {
    io.out(FLEET_HELP);
    return sub ? EXIT.ok : EXIT.usage;
  }
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    strict: true,
    options: {
      json: { type: 'boolean' },
      'data-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
      filter: { type: 'string' },
      role: { type: 'string' },
      tag: { type: 'string', multiple: true },
      name: { type: 'string' },
      address: { type: 'string' },
      port: { type: 'string' },
      user: { type: 'string' },
      notes: { type: 'string' },
      key: { type: 'string' },
      'passphrase-stdin': { type: 'boolean' },
      'password-stdin': { type: 'boolean' },
      timeout: { type: 'string' },
      fingerprint: { type: 'string' },
      cached: { type: 'boolean' },
    },
  });
  if (values.help) {
    io.out(FLEET_HELP);
    return EXIT.ok;
  }
  const services = open(values['data-dir']);
  try {
    const call = caller(services);
    const print = (human: string, data: unknown) => io.out(values.json ? JSON.stringify(data, null, 2) : human);
    switch (sub) {
      case 'list': {
        const filter: Record<string, string> = {};
        if (values.filter) filter.text = values.filter;
        if (values.role) filter.role = values.role;
        if ((values.tag?.length ?? 0) > 1) throw new UsageError('fleet list filters by one --tag at a time');
        if (values.tag?.[0]) filter.tag = values.tag[0];
        const { appliances } = (await call('fleet.list', Object.keys(filter).length ? { filter } : {})) as { appliances: Appliance[] };
        print(appliances.length ? table(appliances) : 'No appliances. Add one with: appliance-console fleet add --name NAME --address HOST', appliances);
        return EXIT.ok;
      }
      case 'show': {
        if (positionals.length !== 1) throw new UsageError('fleet show takes one name or id');
        const a = await resolveAppliance(call, positionals[0]!);
        print(details(a), a);
        return EXIT.ok;
      }
      case 'import': {
        if (positionals.length !== 1) throw new UsageError('fleet import takes one CSV file');
        let text: string;
        try {
          text = fs.readFileSync(positionals[0]!, 'utf8');
        } catch (err) {
          throw new UsageError(`cannot read ${positionals[0]}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
        }
        const { rows, problems } = parseApplianceCsv(text);
        if (problems.length) {
          for (const p of problems) io.err(`line ${p.line}: ${p.code}${p.detail ? ` (${p.detail})` : ''}`);
          io.err(`error: ${positionals[0]} has ${problems.length} problem(s); nothing was imported`);
          return EXIT.usage;
        }
        if (rows.length === 0) throw new UsageError(`${positionals[0]} has a header but no appliances`);
        const auth = await readLoginFlags(values, io);
        try {
          const { added } = (await call('fleet.import', { appliances: rows.map((r) => r.values), ...(auth ? { auth } : {}) })) as { added: Appliance[] };
          print(`Imported ${added.length} appliance(s)`, added);
          return EXIT.ok;
        } catch (err) {
          // Point at the CSV line, not the array index, when a row is at fault.
          if (err instanceof ApiError && err.issues) {
            for (const issue of err.issues) {
              const m = /^appliances\.(\d+)\.?(.*)$/.exec(issue.path);
              const line = m ? rows[Number(m[1])]?.line : undefined;
              if (line !== undefined) issue.path = `line ${line}${m![2] ? ` ${m![2]}` : ''}`;
            }
          }
          throw err;
        }
      }
      case 'add': {
        const input: MethodInput<'fleet.add'> = {
          name: values.name ?? '',
          address: values.address ?? '',
          ...(values.port !== undefined ? { port: Number(values.port) } : {}),
          ...(values.user !== undefined ? { user: values.user } : {}),
          ...(values.role !== undefined ? { role: values.role as 'server' } : {}),
          ...(values.tag ? { tags: values.tag } : {}),
          ...(values.notes !== undefined ? { notes: values.notes } : {}),
        };
        const auth = await readLoginFlags(values, io);
        if (auth) input.auth = auth;
        const a = (await call('fleet.add', input)) as Appliance;
        print(`Added ${a.name} (${formatEndpoint(a.address, a.port)}, id ${a.id})`, a);
        return EXIT.ok;
      }
      case 'remove': {
        if (positionals.length !== 1) throw new UsageError('fleet remove takes one name or id');
        const a = await resolveAppliance(call, positionals[0]!);
        await call('fleet.remove', { id: a.id });
        print(`Removed ${a.name}`, { id: a.id, name: a.name });
        return EXIT.ok;
      }
      case 'test': {
        if (positionals.length !== 1) throw new UsageError('fleet test takes one name or id');
        const a = await resolveAppliance(call, positionals[0]!);
        const timeoutMs = values.timeout !== undefined ? Math.round(Number(values.timeout) * 1000) : undefined;
        const report = (await call('onboarding.testConnection', { id: a.id, ...(timeoutMs !== undefined ? { timeoutMs } : {}) })) as ConnectionReport;
        print(describeReport(a, report), report);
        return report.ok ? EXIT.ok : EXIT.connectionFailed;
      }
      case 'status': {
        const all = await listAppliances(call);
        const chosen = positionals.length ? positionals.map((ref) => findAppliance(all, ref)) : all;
        const statuses = values.cached ? ((await call('status.list', { ids: chosen.map((a) => a.id) })) as { statuses: ApplianceStatus[] }).statuses : await checkEach(call, chosen);
        const byId = new Map(statuses.map((s) => [s.applianceId, s]));
        const rows = chosen.map((a) => ({ id: a.id, name: a.name, address: a.address, port: a.port, status: byId.get(a.id) ?? null }));
        print(rows.length ? statusTable(rows) : 'No appliances.', rows);
        return EXIT.ok;
      }
      case 'trust': {
        if (positionals.length !== 1) throw new UsageError('fleet trust takes one name or id');
        if (!values.fingerprint) throw new UsageError('fleet trust needs --fingerprint SHA256:… (from fleet test, compared with the machine)');
        const a = await resolveAppliance(call, positionals[0]!);
        const r = (await call('onboarding.acceptHostKey', { id: a.id, fingerprint: values.fingerprint })) as { keyType: string; fingerprint: string; replaced: string | null };
        print(`Trusted ${r.keyType} ${r.fingerprint} for ${a.name}${r.replaced ? ` (replaced ${r.replaced})` : ''}`, r);
        return EXIT.ok;
      }
      default:
        throw new UsageError(`unknown fleet command "${sub}"`);
    }
  } catch (err) {
    if (err instanceof ApiError) return reportApiError(io, err);
    throw err;
  } finally {
    await services.close();
  }
}
