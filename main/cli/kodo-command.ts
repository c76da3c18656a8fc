import { parseArgs } from 'node:util';
import { decimalBytes } from '../core/decimal-bytes';
import { HEAL_PRIORITIES, type HealPriority } from '../../agents/protocol/services/kodo';
import type { ConsoleServices } from '../compose';
import type { MethodOutput } from '../contract/api.contract';
import type { KodoStatusView } from '../contract/kodo.contract';
import { parseLayout } from '../services/kodo/kodo-layouts';
import { UsageError, type CliIo } from './cli-io';
import { caller, findAppliance, listAppliances } from './cli-calls';
import { EXIT, EXIT_CODES_HELP } from './exit-codes';
import { textTable } from './text-table';

export const KODO_HELP = `Usage: appliance-console kodo <command> <appliance> [arguments] [options]

Kodo, an appliance's S3-compatible object store. Enable it first with the Appliance page or
'appliance-console service' (service.configure); these commands manage what runs.

Commands:
  status <appliance>                       layout, durability, disks, buckets, healing, endpoints
  init <appliance> [--layout K+M]          format the data disks as one erasure set (once: the layout
                                           cannot change). K+M must be the number of data disks;
                                           without --layout the planner picks (status lists the choices)
  keys list <appliance>                    access keys (never their secrets)
  keys create <appliance> [--bucket B] [--read-only] [--description D]
                                           a new key: prints the endpoint, the access key id and the
                                           secret, ONCE (the console does not keep the secret)
  keys revoke <appliance> <access-key-id>  revoke a key
  buckets list <appliance>                 buckets with objects, logical and raw bytes
  buckets create <appliance> <name> [--public-read]
  buckets delete <appliance> <name>        delete an empty bucket
  heal <appliance> [--start] [--priority low|normal|high] [--rescan-disks]
                                           healing's state and progress; --start a full cycle now,
                                           --priority its I/O budget, --rescan-disks after replacing a disk

<appliance> is a name or an id. Sizes are decimal (1 GB = 1,000,000,000 bytes), as disks are sold.

Options:
  --json           machine-readable output (every field)
  --data-dir DIR   console data directory (default: $APPLIANCE_CONSOLE_DATA_DIR or the XDG data dir)
  -h, --help       this help

${EXIT_CODES_HELP}`;

const OPTIONS = {
  layout: { type: 'string' },
  bucket: { type: 'string' },
  'read-only': { type: 'boolean' },
  description: { type: 'string' },
  'public-read': { type: 'boolean' },
  start: { type: 'boolean' },
  priority: { type: 'string' },
  'rescan-disks': { type: 'boolean' },
  json: { type: 'boolean' },
  'data-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = ReturnType<typeof parseArgs<{ args: string[]; strict: true; allowPositionals: true; options: typeof OPTIONS }>>['values'];

/** A parsed command line: which method to call with what, before anything is opened. */
export interface KodoInvocation {
  command: 'status' | 'init' | 'keys list' | 'keys create' | 'keys revoke' | 'buckets list' | 'buckets create' | 'buckets delete' | 'heal';
  applianceRef: string;
  /** The method's input without the appliance id (filled in once the appliance is found). */
  input: Record<string, unknown>;
  json: boolean;
  dataDir: string | undefined;
}

/** Reads the command line; every mistake is a UsageError that says what to type instead. */
export function parseKodoArgs(argv: string[]): KodoInvocation | 'help' {
  const { values, positionals } = parseArgs({ args: argv, strict: true, allowPositionals: true, options: OPTIONS });
  if (values.help) return 'help';
  const [first, ...rest] = positionals;
  if (!first) throw new UsageError('name a command: status, init, keys, buckets or heal');
  const grouped = first === 'keys' || first === 'buckets';
  const verbs = first === 'keys' ? ['list', 'create', 'revoke'] : ['list', 'create', 'delete'];
  if (grouped && !verbs.includes(rest[0] ?? '')) throw new UsageError(`${first} takes ${verbs.join(', ')}${rest[0] ? `, not "${rest[0]}"` : ''}`);
  if (!grouped && !['status', 'init', 'heal'].includes(first)) throw new UsageError(`unknown command "${first}" (status, init, keys, buckets or heal)`);
  const command = (grouped ? `${first} ${rest[0]}` : first) as KodoInvocation['command'];
  const args = grouped ? rest.slice(1) : rest;
  const [applianceRef, target, ...extra] = args;
  if (!applianceRef) throw new UsageError('name the appliance (its name or id)');
  const needsTarget = command === 'keys revoke' || command === 'buckets create' || command === 'buckets delete';
  if (needsTarget && !target) throw new UsageError(command === 'keys revoke' ? 'name the access key id to revoke (see: kodo keys list)' : 'name the bucket');
  if ((!needsTarget && target) || extra.length) throw new UsageError(`unexpected argument "${needsTarget ? extra[0] : target}"`);
  refuseOptionsNotFor(command, values);
  return { command, applianceRef, input: inputFor(command, target, values), json: values.json === true, dataDir: values['data-dir'] };
}

const OWN_OPTIONS: Record<KodoInvocation['command'], readonly string[]> = {
  status: [],
  init: ['layout'],
  'keys list': [],
  'keys create': ['bucket', 'read-only', 'description'],
  'keys revoke': [],
  'buckets list': [],
  'buckets create': ['public-read'],
  'buckets delete': [],
  heal: ['start', 'priority', 'rescan-disks'],
};

function refuseOptionsNotFor(command: KodoInvocation['command'], values: Values): void {
  const common = ['json', 'data-dir', 'help'];
  const stray = Object.keys(values).find((k) => !common.includes(k) && !OWN_OPTIONS[command].includes(k));
  if (stray) throw new UsageError(`--${stray} is not an option of "kodo ${command}"`);
}

function inputFor(command: KodoInvocation['command'], target: string | undefined, values: Values): Record<string, unknown> {
  switch (command) {
    case 'init': {
      if (values.layout === undefined) return {};
      const layout = parseLayout(values.layout);
      if (!layout) throw new UsageError(`--layout takes K+M, such as 10+2, not "${values.layout}"`);
      return { layout };
    }
    case 'keys create':
      return { bucket: values.bucket ?? null, readOnly: values['read-only'] === true, description: values.description ?? '' };
    case 'keys revoke':
      return { accessKeyId: target };
    case 'buckets create':
      return { name: target, publicRead: values['public-read'] === true };
    case 'buckets delete':
      return { name: target };
    case 'heal': {
      if (values.priority !== undefined && !HEAL_PRIORITIES.includes(values.priority as HealPriority)) throw new UsageError(`--priority takes ${HEAL_PRIORITIES.join(', ')}, not "${values.priority}"`);
      return { start: values.start === true, rescanDisks: values['rescan-disks'] === true, ...(values.priority ? { priority: values.priority } : {}) };
    }
    default:
      return {};
  }
}

const METHOD = {
  status: 'kodo.status',
  init: 'kodo.init',
  'keys list': 'kodo.listKeys',
  'keys create': 'kodo.createKey',
  'keys revoke': 'kodo.revokeKey',
  'buckets list': 'kodo.listBuckets',
  'buckets create': 'kodo.createBucket',
  'buckets delete': 'kodo.deleteBucket',
  heal: 'kodo.heal',
} as const;

export async function runKodoCommand(argv: string[], io: CliIo, open: (dataDir?: string) => ConsoleServices): Promise<number> {
  const parsed = parseKodoArgs(argv);
  if (parsed === 'help') {
    io.out(KODO_HELP);
    return EXIT.ok;
  }
  const services = open(parsed.dataDir);
  try {
    const call = caller(services);
    const appliance = findAppliance(await listAppliances(call), parsed.applianceRef);
    const result = await call(METHOD[parsed.command], { applianceId: appliance.id, ...parsed.input });
    if (parsed.json) {
      io.out(JSON.stringify(result, null, 2));
      return parsed.command === 'status' && !(result as KodoStatusView).available ? EXIT.conflict : EXIT.ok;
    }
    return printText(io, parsed.command, appliance.name, result);
  } finally {
    await services.close();
  }
}

function printText(io: CliIo, command: KodoInvocation['command'], name: string, result: unknown): number {
  switch (command) {
    case 'status': {
      const s = result as KodoStatusView;
      if (!s.available) {
        io.err(`error: Kodo on ${name} did not answer (${s.reasonCode ?? 'unknown reason'}${s.reasonParams.detail !== undefined ? `: ${s.reasonParams.detail}` : ''})`);
        return EXIT.conflict;
      }
      io.out(kodoStatusText(name, s));
      return EXIT.ok;
    }
    case 'init': {
      const r = result as MethodOutput<'kodo.init'>;
      io.out(`${name}: Kodo initialized as ${r.layout.k}+${r.layout.m} on ${r.disks} disks (${r.chosenBy === 'planner' ? "the planner's choice" : 'as asked'}): redundancy ${r.redundancyRatio.toFixed(2)}×, survives ${r.layout.m} failed disk(s), durability ${nines(r.durabilityNines)}. Store ${r.storeId}.`);
      return EXIT.ok;
    }
    case 'keys list': {
      const { keys } = result as MethodOutput<'kodo.listKeys'>;
      io.out(keys.length ? textTable(['ACCESS KEY ID', 'BUCKET', 'ACCESS', 'CREATED', 'DESCRIPTION'], keys.map((k) => [k.accessKeyId, k.bucket ?? '(all)', k.access, k.created, k.description || '-'])) : `${name}: no access keys yet (create one: appliance-console kodo keys create ${name}).`);
      return EXIT.ok;
    }
    case 'keys create': {
      const r = result as MethodOutput<'kodo.createKey'>;
      io.out([`endpoint:          ${r.endpoint}`, `region:            ${r.region}`, `access key id:     ${r.key.accessKeyId}`, `secret access key: ${r.secretKey}`, '', 'The secret is shown this once: store it now. The console does not keep it; revoke the key and create another if it is lost.'].join('\n'));
      return EXIT.ok;
    }
    case 'keys revoke':
      io.out((result as MethodOutput<'kodo.revokeKey'>).revoked ? `${name}: the key is revoked.` : `${name}: there was no such key (nothing to revoke).`);
      return EXIT.ok;
    case 'buckets list': {
      const { buckets } = result as MethodOutput<'kodo.listBuckets'>;
      io.out(buckets.length ? bucketsTable(buckets) : `${name}: no buckets yet (create one: appliance-console kodo buckets create ${name} <name>).`);
      return EXIT.ok;
    }
    case 'buckets create':
      io.out(`${name}: bucket ${(result as MethodOutput<'kodo.createBucket'>).name} created.`);
      return EXIT.ok;
    case 'buckets delete':
      io.out((result as MethodOutput<'kodo.deleteBucket'>).deleted ? `${name}: bucket deleted.` : `${name}: there was no such bucket.`);
      return EXIT.ok;
    case 'heal':
      io.out(healText(result as MethodOutput<'kodo.heal'>));
      return EXIT.ok;
  }
}

const nines = (n: number | null) => (n === null ? 'unknown' : n >= 99 ? 'beyond 99 nines' : `${n.toFixed(1)} nines a year`);

function bucketsTable(buckets: MethodOutput<'kodo.listBuckets'>['buckets']): string {
  return textTable(
    ['BUCKET', 'PUBLIC READ', 'OBJECTS', 'LOGICAL', 'RAW', 'CREATED'],
    buckets.map((b) => [b.name, b.publicRead ? 'yes' : 'no', b.objects === null ? '-' : String(b.objects), decimalBytes(b.logicalBytes), decimalBytes(b.rawBytes), b.created]),
  );
}

function healText(h: MethodOutput<'kodo.heal'>): string {
  const lines = [`healing: ${h.state}, priority ${h.priority}`];
  const c = h.cycle ?? h.lastCycle;
  if (c) {
    const of = c.objectsTotalEstimate !== null ? ` of ~${c.objectsTotalEstimate}` : '';
    lines.push(`${h.cycle ? 'this cycle' : 'last cycle'} (from ${c.started}${c.finished ? ` to ${c.finished}` : ''}): ${c.objectsScanned}${of} objects scanned, ${c.objectsHealed} healed, ${c.shardsRepaired} shards repaired, ${c.errors} errors${c.etaSeconds !== null && h.cycle ? `, about ${Math.ceil(c.etaSeconds / 60)} min left` : ''}`);
  } else lines.push('no healing cycle has run yet');
  return lines.join('\n');
}

/** The same figures as the Storage page, as text. */
export function kodoStatusText(name: string, s: KodoStatusView): string {
  const lines: string[] = [];
  if (!s.initialized) {
    lines.push(`${name}: Kodo is not initialized. ${s.dataDisks.length} data disk(s): ${s.dataDisks.join(', ') || '(none reported)'}`);
    if (s.layoutOptions.length) {
      lines.push('', 'Layouts (k data + m parity disks; fixed once chosen):');
      lines.push(textTable(['LAYOUT', 'REDUNDANCY', 'SURVIVES', 'USABLE', 'DURABILITY', ''], s.layoutOptions.map((o) => [`${o.k}+${o.m}`, `${o.redundancyRatio.toFixed(2)}×`, `${o.m} disk(s)`, decimalBytes(o.usableBytes), nines(o.durabilityNines), o.recommended ? 'recommended' : ''])));
      if (s.plannerBasis?.diskSizeAssumed) lines.push(`(the agent has not reported its disks' sizes: ${decimalBytes(s.plannerBasis.diskSizeBytes)} disks assumed)`);
      lines.push('', `Initialize with: appliance-console kodo init ${name} [--layout K+M]`);
    } else lines.push('Kodo needs at least 3 data disks.');
    if (s.problem) lines.push(`problem: ${s.problem}`);
    return lines.join('\n');
  }
  const l = s.layout;
  lines.push(`${name}: Kodo ${l ? `${l.k}+${l.m}` : '?'} on ${s.disks.length} disks, durability ${nines(s.durabilityNines)}`);
  if (s.redundancy?.ratio) lines.push(`redundancy: ${s.redundancy.ratio.toFixed(2)}× (${decimalBytes(s.redundancy.rawBytes)} raw for ${decimalBytes(s.redundancy.logicalBytes)} of data)`);
  if (s.endpoints) lines.push(`S3 endpoint: ${s.endpoints.s3} (region ${s.region ?? '-'}), Qiniu: ${s.endpoints.qiniu}`);
  if (s.problem) lines.push(`problem: ${s.problem}`);
  lines.push('', textTable(['DISK', 'PATH', 'STATE', 'WHY'], s.disks.map((d) => [String(d.index), d.path ?? '(missing)', d.healing ? 'healing' : d.state, d.reason ?? '-'])));
  if (s.heal) lines.push('', healText(s.heal));
  lines.push('', s.buckets.length ? bucketsTable(s.buckets) : 'no buckets yet');
  return lines.join('\n');
}
