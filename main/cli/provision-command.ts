import { parseArgs } from 'node:util';
import type { ConsoleServices } from '../compose';
import { ApiError } from '../contract/errors';
import type { ProvisionRunResult } from '../contract/provision.contract';
import { UsageError, type CliIo } from './cli-io';
import { EXIT, EXIT_CODES_HELP, reportApiError } from './exit-codes';
import { caller, findAppliance, listAppliances } from './cli-calls';
import { osActor } from './open-console';
import { resolveOrRegister } from './adhoc-hosts';
import { readLoginFlags } from './fleet-command';
import type { Confirm } from './uninstall-command';

export const PROVISION_HELP = `Usage: appliance-console provision <name|id|host[:port]>… [options]

Install or repair the agent on appliances over SSH: preflight, Node runtime, agent bundle, config,
service, then wait until the agent answers. Re-running on an up-to-date appliance changes nothing.
Trust each appliance's host key first (appliance-console fleet test / fleet trust).

A host that is not registered yet is registered on the way (named after it) with the login below,
and its SSH host key is verified before anything is sent: on a terminal you are shown the
fingerprint and asked; elsewhere pass the fingerprint you compared with --accept-fingerprint.

Options:
  --all                  every registered appliance
  --user USER            login for new hosts (default root)
  --port N               SSH port for new hosts (default 22)
  --key FILE             private key for new hosts
  --passphrase-stdin     read the key's passphrase from standard input
  --password-stdin       read the password from standard input (also used for sudo when USER is not root)
  --accept-fingerprint FP  trust this SHA256:… host key (may be repeated)
  --concurrency N        machines provisioned at once (default 4)
  --json                 print the run results as JSON
  --data-dir DIR         console data directory
  -h, --help             this help

Ctrl-C cancels the runs in progress; the next run repairs what they left.

${EXIT_CODES_HELP}`;

/** Runs `work` over `items`, at most `limit` at a time, keeping results in input order. */
export async function mapWithConcurrency<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]!);
    }
  });
  await Promise.all(lanes);
  return results;
}

export async function runProvisionCommand(argv: string[], io: CliIo, open: (dataDir?: string) => ConsoleServices, onInterrupt: (cancel: () => void) => void, confirm: Confirm = null): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      all: { type: 'boolean' },
      concurrency: { type: 'string' },
      json: { type: 'boolean' },
      'data-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
      user: { type: 'string' },
      port: { type: 'string' },
      key: { type: 'string' },
      'passphrase-stdin': { type: 'boolean' },
      'password-stdin': { type: 'boolean' },
      'accept-fingerprint': { type: 'string', multiple: true },
    },
  });
  if (values.help) {
    io.out(PROVISION_HELP);
    return EXIT.ok;
  }
  const concurrency = parseConcurrency(values.concurrency);
  if (!values.all && positionals.length === 0) throw new UsageError('name the appliances to provision, or use --all');
  if (values.all && positionals.length > 0) throw new UsageError('use --all or name appliances, not both');
  let refs: readonly string[] | 'all' = values.all ? 'all' : positionals;
  const auth = await readLoginFlags(values, io);
  if (refs !== 'all' && (auth || values.user || values.port)) {
    const port = values.port === undefined ? undefined : Number(values.port);
    if (port !== undefined && !(Number.isInteger(port) && port >= 1 && port <= 65535)) throw new UsageError('--port must be from 1 to 65535');
    const services = open(values['data-dir']);
    try {
      refs = await resolveOrRegister(services, refs, { user: values.user, port, auth, sudoPassword: auth?.kind === 'password' ? auth.password : undefined, acceptFingerprints: values['accept-fingerprint'] ?? [] }, io, confirm);
    } catch (err) {
      if (err instanceof ApiError) return reportApiError(io, err);
      throw err;
    } finally {
      await services.close();
    }
  }
  return runOnAppliances({ io, open, onInterrupt, dataDir: values['data-dir'], refs, concurrency, json: values.json === true, call: (id) => ['provision.install', { id }] });
}

export function parseConcurrency(text: string | undefined): number {
  const concurrency = text === undefined ? 4 : Number(text);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) throw new UsageError('--concurrency must be a whole number from 1 to 64');
  return concurrency;
}

/** The methods a plan command calls per appliance; each returns a provisioning run. */
type PlanMethod = 'provision.install' | 'provision.upgrade' | 'provision.uninstall';

/**
 * Shared by provision, upgrade and uninstall: resolve the appliances, run one plan per appliance at
 * most `concurrency` at a time, print each step as it finishes and a summary line per appliance,
 * cancel every run on Ctrl-C, and exit 7 when any appliance did not succeed.
 */
export async function runOnAppliances(opts: {
  io: CliIo;
  open: (dataDir?: string) => ConsoleServices;
  onInterrupt: (cancel: () => void) => void;
  dataDir: string | undefined;
  refs: readonly string[] | 'all';
  concurrency: number;
  json: boolean;
  call: (id: string) => [PlanMethod, Record<string, unknown>];
  /** Before anything runs, with the resolved names; false stops with exit 1 and nothing done. */
  confirm?: (names: string[]) => Promise<boolean>;
}): Promise<number> {
  const { io, json } = opts;
  const services = opts.open(opts.dataDir);
  const ctx = { host: 'cli' as const, actor: osActor() };
  try {
    const all = await listAppliances(caller(services));
    const targets = opts.refs === 'all' ? all : opts.refs.map((ref) => findAppliance(all, ref));
    if (opts.confirm && !(await opts.confirm(targets.map((a) => a.name)))) {
      io.err('nothing done');
      return EXIT.failure;
    }
    const names = new Map(targets.map((a) => [a.id, a.name]));
    const titles = new Map<string, string>();
    const unsubscribe = services.events.subscribe((event, payload) => {
      if (event !== 'provision.progress' || json) return;
      const { applianceId, event: e } = payload as { applianceId: string; event: { type: string; stepId?: string; title?: string; status?: string; durationMs?: number; error?: string | null } };
      const who = names.get(applianceId) ?? applianceId;
      if (e.type === 'step-started' && e.stepId) titles.set(`${applianceId}:${e.stepId}`, e.title ?? e.stepId);
      if (e.type === 'step-finished' && e.stepId) {
        const title = titles.get(`${applianceId}:${e.stepId}`) ?? e.stepId;
        io.out(`${who}: ${title} — ${e.status} (${((e.durationMs ?? 0) / 1000).toFixed(1)} s)${e.error ? `: ${e.error}` : ''}`);
      }
    });
    opts.onInterrupt(() => {
      io.err('cancelling…');
      for (const a of targets) void services.dispatcher.call('provision.cancel', { id: a.id }, ctx);
    });
    const results = await mapWithConcurrency(targets, opts.concurrency, async (a) => {
      const [method, input] = opts.call(a.id);
      const r = await services.dispatcher.call(method, input, ctx);
      return { appliance: a, outcome: r };
    });
    unsubscribe();
    let failed = 0;
    const summary = results.map(({ appliance, outcome }) => {
      if (!outcome.ok) {
        failed++;
        return { name: appliance.name, status: 'refused', error: outcome.error.message };
      }
      const run = outcome.result as ProvisionRunResult;
      if (run.status !== 'succeeded') failed++;
      return { name: appliance.name, status: run.status, runId: run.runId, durationMs: run.durationMs, error: run.error, steps: run.steps };
    });
    if (json) io.out(JSON.stringify(summary, null, 2));
    else for (const s of summary) io.out(`${s.name}: ${s.status}${'durationMs' in s ? ` in ${((s.durationMs ?? 0) / 1000).toFixed(1)} s` : ''}${s.error ? ` — ${s.error}` : ''}`);
    return failed ? EXIT.provisionFailed : EXIT.ok;
  } catch (err) {
    if (err instanceof ApiError) return reportApiError(io, err);
    throw err;
  } finally {
    await services.close();
  }
}
