import fs from 'node:fs';
import path from 'node:path';
import * as z from 'zod/mini';
import { ServiceDefinitionSchema, type AgentConfig, type ServiceDefinition } from '../../protocol/agent-config';
import type { DataDisk } from '../../protocol/data-disk';
import { AgentError, toAgentIssues } from '../../protocol/errors';
import type { HealthReason } from '../../protocol/payloads/health';
import type { ServiceActionResult, ServiceCallResult, ServiceConfigureResult, ServiceReadiness, ServiceStatus } from '../../protocol/payloads/services';
import { SERVICE_METRIC_NAME_PATTERN, type ServiceMetricSample } from '../../protocol/services/service-metrics';
import type { ServiceFileEntry } from '../../protocol/services/services-file';
import type { ServiceRegistry } from '../../services/registry';
import type { ServiceContext, ServiceModule } from '../../services/service-module';
import { writeFileAtomic } from '../atomic-file';
import type { Clock, TimerHandle } from '../clock';
import type { Logger } from '../logging/logger';
import type { Supervisor } from '../supervisor/supervisor';
import { describeProbe, runProbe } from './readiness-probe';
import { createReadinessTracker, type ReadinessTracker } from './readiness-tracker';
import { callServiceControl } from './service-call';
import type { ServicesStore } from './services-store';

/**
 * Service modules on top of the process-only supervisor: which modules run (services.json), their
 * validated config, the process definition each one's `launch` gives, readiness probes, their
 * metrics, and the control methods (`service-configure.v1`, `service-start/stop/restart.v1`).
 * Plain services of agent.json's `services` go through the same start/stop/restart, unchanged.
 */
export interface ServiceManager {
  /** Defines the module services in the supervisor and starts the enabled ones. Call after supervisor.start(). */
  start(): Promise<void>;
  /** Stops probing (the supervisor stops the processes). */
  stop(): void;
  /** services.v1: the supervisor's status, with module, enabled, readiness, ports and version. */
  status(): ServiceStatus[];
  /** health.v1's reasons about modules: a probe that fails, a config in services.json that is invalid. */
  healthReasons(): HealthReason[];
  /** The latest metrics of every module service, for the monitor's samples. */
  metrics(): ServiceMetricSample[];
  configure(params: { id: string; enabled: boolean; config?: Record<string, unknown> }): Promise<ServiceConfigureResult>;
  act(action: 'start' | 'stop' | 'restart', id: string): Promise<ServiceActionResult>;
  /** service-call.v1: one of a module's own control methods, forwarded to the running service. */
  call(params: { service: string; method: string; params: Record<string, unknown> }): Promise<ServiceCallResult>;
}

export interface ServiceManagerDeps {
  registry: ServiceRegistry;
  supervisor: Supervisor;
  store: ServicesStore;
  role: AgentConfig['role'];
  dataDisks: readonly DataDisk[];
  /** agent.json `ports`. */
  ports: Readonly<Record<string, number>>;
  stateDir: string;
  logDir: string;
  nodePath: string;
  /** Where the agent's bundle runs from (ServiceContext.programDir). */
  programDir: string;
  clock: Clock;
  log: Logger;
}

const DEFAULT_PROBE_INTERVAL_MS = 5000;
const DEFAULT_PROBE_TIMEOUT_MS = 2000;
const DEFAULT_STARTUP_GRACE_MS = 30_000;
/** After a start or restart, the first probe comes this soon rather than a full interval later. */
const FIRST_PROBE_DELAY_MS = 200;

interface ModuleService {
  module: ServiceModule;
  ctx: ServiceContext;
  /** As services.json has it (null: not in the file, so disabled). */
  entry: ServiceFileEntry | null;
  /** The entry's config with the module's defaults, or null when it is invalid. */
  config: Record<string, unknown> | null;
  /** Why the service cannot run: its config in services.json is invalid, or its launch is. */
  configError: string | null;
  readiness: ReadinessTracker;
  metrics: ServiceMetricSample[];
  timer: TimerHandle | null;
  /** Calls on one service run one after another (two configures must not interleave their restarts). */
  queue: Promise<unknown>;
}

export function createServiceManager(deps: ServiceManagerDeps): ServiceManager {
  const { supervisor, clock } = deps;
  const services = new Map<string, ModuleService>();
  let running = false;

  const loaded = deps.store.read();
  if (loaded.error) deps.log.error('services.file-invalid', { msg: loaded.error });
  for (const module of deps.registry.modules) {
    const log = deps.log.child({ service: module.id });
    if (!module.roles.includes(deps.role)) {
      log.info('services.module-skipped', { msg: `runs on ${module.roles.join(', ')}; this machine is a ${deps.role}` });
      continue;
    }
    if (supervisor.has(module.id)) {
      log.error('services.name-taken', { msg: `agent.json's services already has "${module.id}"; the module of that id is not run. Rename or remove that entry.` });
      continue;
    }
    const dataDir = path.join(deps.stateDir, 'services', module.id);
    const ctx: ServiceContext = {
      role: deps.role,
      dataDisks: deps.dataDisks,
      dataDir,
      logDir: path.join(deps.logDir, 'services', module.id),
      configFile: path.join(dataDir, 'config.json'),
      nodePath: deps.nodePath,
      programDir: deps.programDir,
      ports: Object.fromEntries(module.ports.map((p) => [p.id, deps.ports[p.id] ?? p.defaultPort])),
    };
    const ms: ModuleService = { module, ctx, entry: null, config: null, configError: null, readiness: createReadinessTracker(clock), metrics: [], timer: null, queue: Promise.resolve() };
    setEntry(ms, loaded.file.services[module.id] ?? null);
    services.set(module.id, ms);
  }

  /** Takes a services.json entry: validates its config; a bad one leaves the service stopped, with the reason. */
  function setEntry(ms: ModuleService, entry: ServiceFileEntry | null): void {
    ms.entry = entry;
    const parsed = ms.module.configSchema.safeParse(entry?.config ?? {});
    ms.config = parsed.success ? parsed.data : null;
    ms.configError = parsed.success ? null : `services.json has an invalid config for ${ms.module.id} (${z.prettifyError(parsed.error).replace(/\n/g, ' ')}); send a valid one with service-configure.v1`;
  }

  /** The supervisor's definition for a module's current config (disabled when it cannot run). */
  function definitionOf(ms: ModuleService): ServiceDefinition {
    const enabled = (ms.entry?.enabled ?? false) && ms.config !== null;
    const placeholder: ServiceDefinition = { name: ms.module.id, command: ms.ctx.nodePath, args: [], env: {}, cwd: '/', restart: 'on-failure', enabled: false };
    if (ms.config === null) return placeholder;
    let launch: ReturnType<ServiceModule['launch']>;
    try {
      launch = ms.module.launch(ms.config, ms.ctx);
    } catch (err) {
      // A module's bug must not take the agent (and every other service) down with it.
      ms.configError = `the ${ms.module.id} module failed to say what to launch (${(err as Error).message}); this agent build cannot run it`;
      return placeholder;
    }
    const parsed = ServiceDefinitionSchema.safeParse({
      name: ms.module.id,
      command: launch.command,
      args: launch.args,
      env: launch.env ?? {},
      cwd: launch.cwd ?? ms.ctx.dataDir,
      ...(launch.user !== undefined ? { user: launch.user } : {}),
      ...(launch.group !== undefined ? { group: launch.group } : {}),
      restart: launch.restart ?? 'on-failure',
      enabled,
    });
    if (!parsed.success) {
      // A bug of the module, not of the config: say so rather than run something half-formed.
      ms.configError = `the ${ms.module.id} module's launch is invalid (${z.prettifyError(parsed.error).replace(/\n/g, ' ')}); this agent build cannot run it`;
      return placeholder;
    }
    return parsed.data;
  }

  /** Directories and the config file the service reads, before each (re)start or reload. */
  function prepare(ms: ModuleService): void {
    fs.mkdirSync(ms.ctx.dataDir, { recursive: true, mode: 0o700 });
    fs.mkdirSync(ms.ctx.logDir, { recursive: true, mode: 0o750 });
    writeFileAtomic(ms.ctx.configFile, `${JSON.stringify(ms.config ?? {}, null, 2)}\n`);
  }

  function schedule(ms: ModuleService, delayMs: number): void {
    if (!running) return;
    if (ms.timer) clock.clearTimer(ms.timer);
    ms.timer = clock.setTimer(() => {
      probe(ms).catch((err: unknown) => {
        // A module whose probe() throws is a bug in it: logged, and probed again later, the agent unharmed.
        deps.log.error('service.probe-failed', { service: ms.module.id, error: err as Error });
        schedule(ms, ms.module.readiness.intervalMs ?? DEFAULT_PROBE_INTERVAL_MS);
      });
    }, delayMs);
  }

  async function probe(ms: ModuleService): Promise<void> {
    ms.timer = null;
    const spec = ms.module.readiness;
    const status = supervisor.status().find((s) => s.name === ms.module.id);
    const interval = spec.intervalMs ?? DEFAULT_PROBE_INTERVAL_MS;
    if (!status || status.state !== 'running' || status.pid === null || ms.config === null) {
      ms.readiness.notRunning();
      ms.metrics = [];
      return schedule(ms, interval);
    }
    const target = spec.probe(ms.config, ms.ctx);
    ms.readiness.runningAs(status.pid, status.startedAt, describeProbe(target));
    const outcome = await runProbe(target, spec.timeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS);
    // The service may have stopped or restarted while the probe ran: its answer is about the old run.
    if (supervisor.status().find((s) => s.name === ms.module.id)?.pid !== status.pid) return schedule(ms, FIRST_PROBE_DELAY_MS);
    const before = ms.readiness.view(status).state;
    ms.readiness.record(outcome, spec.startupGraceMs ?? DEFAULT_STARTUP_GRACE_MS);
    const after = ms.readiness.view(status).state;
    if (before !== after) (after === 'unready' ? deps.log.warn : deps.log.info)('service.readiness', { service: ms.module.id, state: after, msg: outcome.message ?? undefined });
    const id = ms.module.id;
    const metrics: ServiceMetricSample[] = [
      { service: id, metric: 'ready', kind: 'gauge', value: outcome.ok ? 1 : 0 },
      { service: id, metric: 'probe_ms', kind: 'gauge', value: outcome.ms },
    ];
    if (outcome.ok && ms.module.metrics) metrics.push(...(await readModuleMetrics(ms, spec.timeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS)));
    ms.metrics = metrics;
    schedule(ms, interval);
  }

  async function readModuleMetrics(ms: ModuleService, timeoutMs: number): Promise<ServiceMetricSample[]> {
    const abort = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    // The signal asks the module to stop; the race makes sure a module that ignores it cannot stall probing.
    const timedOut = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        abort.abort();
        reject(new Error(`no metrics within ${timeoutMs} ms`));
      }, timeoutMs);
    });
    try {
      const readings = await Promise.race([ms.module.metrics!(ms.config!, ms.ctx, abort.signal), timedOut]);
      return readings.filter((r) => Number.isFinite(r.value) && SERVICE_METRIC_NAME_PATTERN.test(r.metric)).map((r) => ({ service: ms.module.id, metric: r.metric, kind: r.kind, value: r.value }));
    } catch (err) {
      deps.log.debug('service.metrics-failed', { service: ms.module.id, error: err as Error });
      return [];
    } finally {
      clearTimeout(timer);
    }
  }

  function moduleOf(id: string): ModuleService {
    const ms = services.get(id);
    if (ms) return ms;
    if (supervisor.has(id)) {
      throw new AgentError('invalid-input', `"${id}" is a service of agent.json's services list, not a service module; change it in agent.json`, { issues: [{ path: 'id', code: 'not-a-module', message: `"${id}" is configured in agent.json, not by service-configure.v1` }] });
    }
    throw unknownService(id);
  }

  function unknownService(id: string): AgentError {
    const other = deps.registry.get(id);
    if (other && !other.roles.includes(deps.role)) {
      const message = `${id} runs on ${other.roles.join(', ')}; this machine is a ${deps.role}`;
      return new AgentError('invalid-input', message, { issues: [{ path: 'id', code: 'wrong-role', message }] });
    }
    const known = supervisor.status().map((s) => s.name);
    const list = known.length > 0 ? `it has: ${known.join(', ')}` : 'it runs no services';
    return new AgentError('invalid-input', `This agent has no service "${id}" (${list}); services.v1 lists them`, { issues: [{ path: 'id', code: 'unknown-service', message: `no service "${id}" on this agent (${list})`.slice(0, 512) }] });
  }

  function serially<T>(ms: ModuleService, job: () => Promise<T>): Promise<T> {
    const next = ms.queue.then(job, job);
    ms.queue = next.catch(() => undefined);
    return next;
  }

  function statusOf(name: string): ServiceStatus {
    const status = enrich(supervisor.status()).find((s) => s.name === name);
    if (!status) throw new Error(`no status for service "${name}"`);
    return status;
  }

  function enrich(list: ServiceStatus[]): ServiceStatus[] {
    return list.map((s) => {
      const ms = services.get(s.name);
      if (!ms) return { ...s, module: null };
      const readiness: ServiceReadiness = ms.readiness.view(s);
      return {
        ...s,
        module: ms.module.id,
        enabled: ms.entry?.enabled ?? false,
        configured: ms.entry !== null,
        readiness,
        ports: ms.module.ports.map((p) => ({ id: p.id, port: ms.ctx.ports[p.id] ?? p.defaultPort })),
        version: ms.module.version,
        lastError: ms.configError ?? s.lastError,
      };
    });
  }

  /** Brings a module service to what its entry says, restarting (or reloading) only when needed. */
  async function apply(ms: ModuleService, previous: { config: Record<string, unknown> | null; def: ServiceDefinition | null }): Promise<ServiceActionResult['outcome']> {
    const def = definitionOf(ms);
    const state = supervisor.status().find((s) => s.name === ms.module.id)?.state ?? 'stopped';
    const active = state === 'running' || state === 'starting' || state === 'backoff';
    supervisor.define(def);
    if (!def.enabled) {
      ms.readiness.notRunning();
      return (await supervisor.stopService(ms.module.id)) === 'stopped' ? 'stopped' : 'unchanged';
    }
    const sameLaunch = previous.def !== null && JSON.stringify(previous.def) === JSON.stringify(def);
    if (active && sameLaunch && JSON.stringify(previous.config) === JSON.stringify(ms.config)) return 'unchanged';
    prepare(ms);
    const reload = ms.module.reload;
    if (state === 'running' && sameLaunch && reload && previous.config !== null && reload.applies(previous.config, ms.config!)) {
      if (supervisor.signalService(ms.module.id, reload.signal)) {
        schedule(ms, FIRST_PROBE_DELAY_MS);
        return 'reloaded';
      }
    }
    const outcome = active ? await supervisor.restartService(ms.module.id) : await supervisor.startService(ms.module.id);
    schedule(ms, FIRST_PROBE_DELAY_MS);
    return outcome === 'unchanged' ? 'unchanged' : outcome;
  }

  const lastDefs = new Map<string, ServiceDefinition>();

  return {
    async start() {
      running = true;
      for (const ms of services.values()) {
        const def = definitionOf(ms);
        supervisor.define(def);
        lastDefs.set(ms.module.id, def);
        if (ms.configError) deps.log.error('services.config-invalid', { service: ms.module.id, msg: ms.configError });
        if (def.enabled) {
          prepare(ms);
          await supervisor.startService(ms.module.id);
        }
        schedule(ms, FIRST_PROBE_DELAY_MS);
      }
    },
    stop() {
      running = false;
      for (const ms of services.values()) if (ms.timer) clock.clearTimer(ms.timer);
    },
    status: () => enrich(supervisor.status()),
    healthReasons() {
      const reasons: HealthReason[] = [];
      const statuses = supervisor.status();
      for (const ms of services.values()) {
        const id = ms.module.id;
        if (ms.configError && ms.entry?.enabled) reasons.push({ code: 'service-failed', subject: id, message: ms.configError.slice(0, 1024) });
        const status = statuses.find((s) => s.name === id);
        if (!status) continue;
        const r = ms.readiness.view(status);
        if (r.state === 'unready') reasons.push({ code: 'service-unready', subject: id, message: `${id} is running but not ready (${r.probe}: ${r.message ?? 'failed'})`.slice(0, 1024) });
      }
      return reasons;
    },
    metrics: () => [...services.values()].flatMap((ms) => ms.metrics),
    configure(params) {
      const ms = moduleOf(params.id);
      return serially(ms, async () => {
        const input = params.config ?? ms.entry?.config ?? {};
        const parsed = ms.module.configSchema.safeParse(input);
        if (!parsed.success) {
          const issues = toAgentIssues(parsed.error).map((i) => ({ ...i, path: i.path ? `config.${i.path}` : 'config' }));
          throw new AgentError('invalid-input', `The config for ${ms.module.id} is not valid; nothing was written or changed`, { issues });
        }
        const entry: ServiceFileEntry = { enabled: params.enabled, config: input };
        // Written before anything changes: a failed write (disk full) changes nothing running either.
        deps.store.write(ms.module.id, entry);
        deps.log.info('service.configured', { service: ms.module.id, enabled: params.enabled });
        const previous = { config: ms.config, def: lastDefs.get(ms.module.id) ?? null };
        setEntry(ms, entry);
        const outcome = await apply(ms, previous);
        lastDefs.set(ms.module.id, definitionOf(ms));
        return { outcome, service: statusOf(ms.module.id), config: ms.config ?? {}, file: deps.store.path };
      });
    },
    async act(action, id) {
      const ms = services.get(id);
      if (!ms && !supervisor.has(id)) throw unknownService(id);
      const job = async (): Promise<ServiceActionResult> => {
        if (ms?.configError && action !== 'stop') {
          throw new AgentError('invalid-input', `${id} cannot start: ${ms.configError}`, { issues: [{ path: 'id', code: 'invalid-config', message: ms.configError.slice(0, 512) }] });
        }
        if (ms && action !== 'stop') prepare(ms);
        const outcome = action === 'start' ? await supervisor.startService(id) : action === 'stop' ? await supervisor.stopService(id) : await supervisor.restartService(id);
        if (ms) {
          if (action === 'stop') ms.readiness.notRunning();
          schedule(ms, FIRST_PROBE_DELAY_MS);
        }
        deps.log.info('service.action', { service: id, action, outcome });
        return { outcome, service: statusOf(id) };
      };
      return ms ? serially(ms, job) : job();
    },
    async call(params) {
      const ms = moduleOf(params.service);
      if (!ms.module.control) {
        throw new AgentError('invalid-input', `${ms.module.id} has no control methods`, { issues: [{ path: 'method', code: 'unknown-method', message: `${ms.module.id} has no control methods` }] });
      }
      if (ms.config === null) return { ok: false, error: { code: 'service.invalid-config', message: ms.configError ?? `${ms.module.id} has no valid config` } };
      // Not queued behind configure/restart: a status call must answer while a restart is under way.
      return callServiceControl({ serviceId: ms.module.id, control: ms.module.control, config: ms.config, ctx: ms.ctx, method: params.method, params: params.params });
    },
  };
}
