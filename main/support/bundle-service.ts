import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Clock } from '../core/clock';
import type { EventBus } from '../core/event-bus';
import type { Logger } from '../core/log';
import { ApiError } from '../contract/errors';
import { CONFIG_DIR, LOG_DIR } from '../provision/layout';
import { createRemote, type Remote } from '../provision/remote';
import { refusal, type Reach } from '../reach/reach';
import { openBundleWriter, type BundleFileEntry } from './bundle-file';
import { createRedactor } from './redactor';

/**
 * One support bundle for one appliance (issue 10 §2): the machine's side over its own SSH
 * connection (the agent's logs since a time, its configs — never its token —, smartctl per disk,
 * inventory, kernel log) and the console's side through its own read API (the appliance, status,
 * inventory, events, alerts, audit rows naming it, metric history, disks and SMART verdicts,
 * services, diagnose runs), every file redacted by one redactor (the same secret, the same
 * placeholder everywhere), into a `.tar.gz` with a manifest and SHA-256 per file (bundle-file.ts),
 * under a size cap (logs, added last, are cut to their newest part or left out, and the manifest
 * says so). The bundle is written under the data directory (`bundles/`); the redaction mapping
 * beside it, 0600, never into the bundle. Progress as `bundle.progress`; cancel by run token
 * (nothing is left but what was there before).
 */

export interface BundleRequest {
  applianceId: string;
  /** Machine logs and console history from this time on (ms). */
  sinceMs: number;
  /** Cap on the files' total size before compression (the bundle is smaller). */
  maxBytes: number;
  pseudonymize: boolean;
  extraPatterns: string[];
  runToken?: string | undefined;
}

export interface BundleResult {
  file: string;
  name: string;
  bytes: number;
  sha256: string;
  files: number;
  omitted: { path: string; why: string }[];
  truncated: string[];
  redaction: { secrets: Record<string, number>; pseudonyms: { hosts: number; ips: number } };
  mappingFile: string;
}

export interface BundleDeps {
  reach: Pick<Reach, 'access' | 'dial'>;
  requireAppliance(applianceId: string): { id: string; name: string; address: string; port: number; user: string; role: string };
  /** A read method of this console's API (the dispatcher, as the UI calls it). */
  readApi(method: string, input: Record<string, unknown>): Promise<unknown>;
  dataDir: string;
  consoleVersion: string;
  host: string;
  events: Pick<EventBus, 'emit'>;
  clock: Clock;
  log: Logger;
}

/** Bytes of a machine command's output the collector takes at most (a log is cut to its newest part). */
const MAX_COMMAND_OUTPUT = 64 * 1024 * 1024;
const COMMAND_TIMEOUT_MS = 60_000;
const DEVICE = /^\/dev\/[A-Za-z0-9/_-]+$/;

interface Item {
  path: string;
  what: string;
  source: 'machine' | 'console';
  /** Logs: cut to fit rather than left out. */
  cuttable?: boolean;
  read(): Promise<string>;
}

/** Bundles are kept a week (time to download or hand over); their redaction maps stay, to read answers back. */
const KEEP_BUNDLES_MS = 7 * 86_400_000;

function pruneOldBundles(dir: string, nowMs: number) {
  for (const name of fs.readdirSync(dir)) {
    if (!name.endsWith('.tar.gz') && !name.endsWith('.tar.gz.partial')) continue;
    const file = path.join(dir, name);
    try {
      if (nowMs - fs.statSync(file).mtimeMs > KEEP_BUNDLES_MS) fs.rmSync(file, { force: true });
    } catch {
      // gone meanwhile
    }
  }
}

export function createBundleService(deps: BundleDeps) {
  const log = deps.log.child('bundle');
  const running = new Map<string, AbortController>();

  function consoleItems(a: { id: string }, sinceMs: number, nowMs: number): Item[] {
    const api = (p: string, what: string, method: string, input: Record<string, unknown>, pick?: (v: unknown) => unknown): Item => ({
      path: `console/${p}`,
      what,
      source: 'console',
      read: async () => `${JSON.stringify(pick ? pick(await deps.readApi(method, input)) : await deps.readApi(method, input), null, 2)}\n`,
    });
    return [
      api('appliance.json', 'the appliance as registered (no credentials)', 'fleet.get', { id: a.id }),
      api('status.json', 'its status as last checked', 'status.list', { ids: [a.id] }),
      api('inventory.json', 'its inventory as the agent last reported it', 'status.inventory', { id: a.id, refresh: false }),
      api('events.json', 'its status and agent events', 'status.events', { id: a.id, limit: 500 }),
      api('alerts.json', 'its alerts, every state', 'alerts.list', { applianceId: a.id, states: ['pending', 'firing', 'acknowledged', 'resolved'], limit: 500 }),
      { path: 'console/audit.json', what: 'the audit rows naming it', source: 'console', read: async () => `${JSON.stringify(await auditRows(a.id, sinceMs), null, 2)}\n` },
      api('disks.json', 'its disks and SMART verdicts', 'disks.list', { applianceId: a.id }),
      api('services.json', 'its services', 'service.list', { applianceId: a.id }),
      api('diagnose-latest.json', 'the latest diagnose run', 'diagnose.latest', { applianceId: a.id }),
      api('diagnose-history.json', 'earlier diagnose runs', 'diagnose.history', { applianceId: a.id, limit: 50 }),
      {
        path: 'console/metrics.json',
        what: 'metric history since the bundle’s start (min/avg/max per point)',
        source: 'console',
        read: async () => {
          const catalog = (await deps.readApi('metrics.catalog', { applianceId: a.id })) as { metrics: { metric: string; labels?: Record<string, string> }[] };
          const series = [];
          for (const m of catalog.metrics) {
            series.push({ ...m, points: await deps.readApi('metrics.series', { applianceId: a.id, metric: m.metric, ...(m.labels ? { labels: m.labels } : {}), from: sinceMs, to: nowMs, widthPoints: 500 }) });
          }
          return `${JSON.stringify({ from: new Date(sinceMs).toISOString(), to: new Date(nowMs).toISOString(), series }, null, 2)}\n`;
        },
      },
    ];
  }

  /** Audit rows whose target is the appliance, newest first, back to `sinceMs`. */
  async function auditRows(applianceId: string, sinceMs: number): Promise<unknown[]> {
    const rows: unknown[] = [];
    let before: number | undefined;
    for (let pages = 0; pages < 200; pages++) {
      const page = (await deps.readApi('audit.list', { limit: 500, ...(before ? { before } : {}) })) as { entries: { id: number; at: string; target: string | null }[]; nextCursor: number | null };
      for (const e of page.entries) if (e.target === applianceId && Date.parse(e.at) >= sinceMs) rows.push(e);
      if (page.nextCursor === null || page.entries.some((e) => Date.parse(e.at) < sinceMs)) break;
      before = page.nextCursor;
    }
    return rows;
  }

  async function machineItems(remote: Remote, sinceMs: number): Promise<Item[]> {
    const sh = async (script: string) => {
      const r = await remote.run(script, { privileged: true, timeoutMs: COMMAND_TIMEOUT_MS });
      return r.stdout + (r.code !== 0 && r.stderr ? `\n[exit ${r.code}] ${r.stderr.trim()}` : '');
    };
    const cmd = (p: string, what: string, script: string, cuttable = false): Item => ({ path: `machine/${p}`, what: `${what}: ${script}`, source: 'machine', cuttable, read: () => sh(script) });
    const logs = (await sh(`ls -1 ${LOG_DIR} 2>/dev/null || true`)).split('\n').filter((n) => /^[\w.-]+\.log(\.\d+)?$/.test(n));
    const scan = await sh('smartctl --scan --json 2>/dev/null || true');
    let devices: { name: string; type?: string }[] = [];
    try {
      devices = ((JSON.parse(scan) as { devices?: { name: string; type?: string }[] }).devices ?? []).filter((d) => DEVICE.test(d.name));
    } catch {
      devices = [];
    }
    const since = new Date(sinceMs).toISOString();
    return [
      cmd('system/os.txt', 'the system', 'uname -a; cat /etc/os-release; uptime'),
      cmd('system/block-devices.json', 'block devices', 'lsblk -J -b -o NAME,TYPE,SIZE,MODEL,SERIAL,ROTA,MOUNTPOINT,FSTYPE,UUID'),
      cmd('system/filesystems.txt', 'file systems', 'df -PT -B1; echo; df -Pi; echo; cat /proc/self/mounts'),
      cmd('system/network.json', 'network addresses and links', 'ip -j -s addr 2>/dev/null || ip -s addr'),
      cmd('system/memory.txt', 'memory', 'cat /proc/meminfo; free -b'),
      cmd('system/listening.txt', 'listening sockets', 'ss -ltnup 2>/dev/null || cat /proc/net/tcp /proc/net/tcp6'),
      cmd('system/processes.txt', 'processes', 'ps -eo pid,ppid,user,rss,etime,args --sort=-rss | head -n 200'),
      cmd('system/kernel-log.txt', 'the kernel log (its last 5,000 lines)', 'dmesg 2>&1 | tail -n 5000', true),
      cmd('agent/agent.json', 'the agent’s config', `cat ${CONFIG_DIR}/agent.json 2>/dev/null || echo '(none)'`),
      cmd('agent/services.json', 'the agent’s services and their configs', `cat ${CONFIG_DIR}/services.json 2>/dev/null || echo '(none)'`),
      cmd('agent/settings.json', 'the agent’s own settings', `cat ${CONFIG_DIR}/settings.json 2>/dev/null || echo '(none)'`),
      ...devices.map((d) => cmd(`smart/${d.name.slice('/dev/'.length).replace(/\//g, '_')}.json`, 'SMART', `smartctl --json -x${d.type && /^[a-z0-9,]+$/.test(d.type) ? ` -d ${d.type}` : ''} ${d.name}`)),
      // Logs last: the size cap cuts them first. agent.log is JSON lines: only those since the start.
      ...logs.map((name) =>
        name === 'agent.log'
          ? cmd(`logs/${name}`, `the agent’s log since ${since}`, `tail -c ${MAX_COMMAND_OUTPUT} ${LOG_DIR}/${name} | awk -v s='"time":"${since}' 'index($0, "\\"time\\":\\"") && substr($0, index($0, "\\"time\\":\\""), length(s)) >= s'`, true)
          : cmd(`logs/${name}`, 'a log of the agent', `tail -c ${MAX_COMMAND_OUTPUT} ${LOG_DIR}/${name}`, true),
      ),
    ];
  }

  return {
    async create(input: BundleRequest): Promise<BundleResult> {
      const a = deps.requireAppliance(input.applianceId);
      const token = input.runToken ?? randomUUID();
      const abort = new AbortController();
      running.set(token, abort);
      const now = deps.clock.now();
      const dir = path.join(deps.dataDir, 'bundles');
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
      pruneOldBundles(dir, now.getTime());
      const stamp = now.toISOString().replace(/[:.]/g, '-');
      const base = `${a.name.replace(/[^\w.-]+/g, '_')}-${stamp}`;
      const file = path.join(dir, `${base}.tar.gz`);
      const redactor = createRedactor({ pseudonymize: input.pseudonymize, extraPatterns: input.extraPatterns, knownHosts: [a.address, a.name] });
      const writer = openBundleWriter(file);
      const truncated: string[] = [];
      let connection: { close(): void } | null = null;
      try {
        const items: Item[] = consoleItems(a, input.sinceMs, now.getTime());
        const access = deps.reach.access(a.id);
        const refused = !access.ok ? access.failure : refusal(access.access);
        const dialled = refused || !access.ok ? null : await deps.reach.dial(access.access, { timeoutMs: 15_000 });
        if (refused || !dialled || !dialled.ok) {
          const why = refused?.message ?? (dialled && !dialled.ok ? dialled.failure.message : 'no connection');
          writer.omit('machine/', `the machine could not be reached: ${why}`);
        } else {
          connection = dialled;
          const remote = createRemote(dialled.client, { user: access.ok ? access.access.target.user : a.user, sudoPassword: access.ok ? access.access.sudoPassword : null });
          items.push(...(await machineItems(remote, input.sinceMs)));
        }
        for (const [i, item] of items.entries()) {
          if (abort.signal.aborted) throw new ApiError('conflict', 'The support bundle was cancelled; nothing was kept.', { params: { reason: 'bundle.cancelled' } });
          deps.events.emit('bundle.progress', { applianceId: a.id, runToken: input.runToken ?? null, done: i, total: items.length, step: item.path });
          let text: string;
          try {
            text = redactor.redact(await item.read());
          } catch (error) {
            writer.omit(item.path, `could not be read: ${redactor.redact(error instanceof Error ? error.message : String(error))}`);
            continue;
          }
          const room = input.maxBytes - writer.contentBytes;
          const size = Buffer.byteLength(text);
          if (size > room) {
            if (!item.cuttable || room < 4096) {
              writer.omit(item.path, `left out to stay under the size cap (${size} bytes, ${Math.max(0, room)} left)`);
              continue;
            }
            // The newest part of a log, from a line start.
            const tail = Buffer.from(text).subarray(size - room + 64).toString('utf8');
            text = `[cut to the size cap: the first ${size - Buffer.byteLength(tail)} bytes left out]\n${tail.slice(tail.indexOf('\n') + 1)}`;
            truncated.push(item.path);
          }
          await writer.add(item.path, text, { source: item.source, what: item.what, ...(truncated.includes(item.path) ? { truncated: true } : {}) });
        }
        const summary = redactor.summary();
        const done = await writer.finish({
          createdAt: now.toISOString(),
          console: { version: deps.consoleVersion, host: deps.host },
          appliance: { id: a.id, name: redactor.redact(a.name), role: a.role },
          since: new Date(input.sinceMs).toISOString(),
          maxBytes: input.maxBytes,
          redaction: { pseudonymized: input.pseudonymize, extraPatterns: input.extraPatterns.length, ...summary },
        });
        const mappingFile = path.join(dir, `${base}.redaction-map.json`);
        fs.writeFileSync(mappingFile, `${JSON.stringify(redactor.mapping(), null, 2)}\n`, { mode: 0o600 });
        deps.events.emit('bundle.progress', { applianceId: a.id, runToken: input.runToken ?? null, done: items.length, total: items.length, step: 'done' });
        log.info('support bundle written', { applianceId: a.id, bytes: done.bytes, files: done.manifest.files.length });
        return { file: done.file, name: path.basename(done.file), bytes: done.bytes, sha256: done.sha256, files: done.manifest.files.length, omitted: done.manifest.omitted, truncated, redaction: summary, mappingFile };
      } catch (error) {
        await writer.abort();
        throw error;
      } finally {
        connection?.close();
        running.delete(token);
      }
    },
    /** Up to 512 KiB of a bundle under bundles/ from `offset`, base64 (the page's download). */
    async read(name: string, offset: number): Promise<{ data: string; size: number; done: boolean }> {
      const file = path.join(deps.dataDir, 'bundles', path.basename(name));
      let fd: fs.promises.FileHandle;
      try {
        fd = await fs.promises.open(file, 'r');
      } catch {
        throw new ApiError('not-found', `No bundle ${name} here (it was moved or deleted); make it again.`, { params: { reason: 'bundle.gone' } });
      }
      try {
        const { size } = await fd.stat();
        const buf = Buffer.alloc(Math.max(0, Math.min(512 * 1024, size - offset)));
        const { bytesRead } = await fd.read(buf, 0, buf.length, offset);
        return { data: buf.subarray(0, bytesRead).toString('base64'), size, done: offset + bytesRead >= size };
      } finally {
        await fd.close();
      }
    },
    cancel(runToken: string): { cancelled: boolean } {
      const abort = running.get(runToken);
      abort?.abort();
      return { cancelled: abort !== undefined };
    },
  };
}
export type BundleService = ReturnType<typeof createBundleService>;
export type { BundleFileEntry };
