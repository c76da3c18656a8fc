import crypto from 'node:crypto';
import os from 'node:os';
import type { AgentSettings } from '../protocol/payloads/agent-settings';
import { LogRecordSchema } from '../protocol/payloads/logs';
import type { ServiceRegistry } from '../services/registry';
import { ensureAgentDirs } from './agent-dirs';
import type { BuildInfo } from './build-info';
import { createSystemClock } from './clock';
import { createBearerCheck } from './control/bearer-auth';
import { createControlServer } from './control/control-server';
import { createDispatcher } from './control/dispatcher';
import { createHandlers } from './control/handlers';
import { acquirePidFile, AlreadyRunningError } from './daemon/pid-file';
import { EXIT_ALREADY_RUNNING, EXIT_FAILURE, EXIT_OK } from './exit-codes';
import { createHealthCheck } from './health';
import { createCommandRunner } from './inventory/command-runner';
import { createHostProbes, createInventory } from './inventory/inventory';
import type { LoadedConfig } from './load-config';
import { openRotatingLogFile, readLogTail } from './logging/log-file';
import { createMonitor } from './monitor/monitor';
import { startPrometheusEndpoint, type PrometheusEndpoint } from './monitor/prometheus';
import { createSystemSource } from './monitor/system-source';
import { createLogRing } from './logging/log-ring';
import { createLogger, createRedactor } from './logging/logger';
import { createServiceManager } from './services/service-manager';
import { createServicesStore } from './services/services-store';
import { createAgentSettings } from './settings/agent-settings';
import { createChildRegistry } from './supervisor/child-registry';
import { createProcessLauncher } from './supervisor/process-launcher';
import { createSupervisor } from './supervisor/supervisor';
import { createUserDb } from './supervisor/user-db';

/**
 * The agent's composition root: directories, the single-instance lock, logging, the supervisor,
 * the service modules, the inventory, the monitor, the settings and the control server, wired with
 * explicit dependencies; then it runs until a signal and stops everything in order. Returns the
 * process exit code. `serviceModules` is the registry of this build (main.ts passes the production
 * one; tests pass their own modules, tests/fixtures/services/).
 */
export async function runAgent(loaded: LoadedConfig, token: string, build: BuildInfo, stderr: (line: string) => void, serviceModules: ServiceRegistry): Promise<number> {
  const { config, paths } = loaded;
  ensureAgentDirs(paths);

  let lock;
  try {
    lock = acquirePidFile(paths.pidFile);
  } catch (err) {
    if (err instanceof AlreadyRunningError) {
      stderr(err.message);
      return EXIT_ALREADY_RUNNING;
    }
    throw err;
  }

  const clock = createSystemClock();
  const startedAt = clock.now();
  const logRing = createLogRing({ capacity: config.log.memoryEntries, runId: crypto.randomBytes(6).toString('hex') });
  // Lines of earlier runs seed the in-memory log, so `logs.v1` shows what happened before a restart.
  for (const line of readLogTail(paths.logFile, 512 * 1024).slice(-config.log.memoryEntries)) {
    const record = safeJson(line);
    const parsed = LogRecordSchema.safeParse(record);
    if (parsed.success) logRing.append(parsed.data);
  }
  const logFile = openRotatingLogFile({ path: paths.logFile, maxBytes: config.log.maxBytes, keep: config.log.keep });
  const log = createLogger({ level: config.log.level, clock, ring: logRing, file: logFile, redact: createRedactor([token]) });
  log.info('agent.starting', { version: build.version, target: build.target, node: process.version, pid: process.pid, config: paths.config, role: config.role, dataDisks: config.dataDisks.map((d) => d.mountpoint).join(' ') });

  const registry = createChildRegistry(paths.childrenFile);
  const reaped = await registry.reapLeftovers(log, config.supervisor.stopTimeoutMs);
  if (reaped > 0) log.warn('agent.reaped-orphans', { count: reaped });

  const supervisor = createSupervisor({
    services: config.services,
    backoff: config.supervisor.backoff,
    flapping: config.supervisor.flapping,
    stopTimeoutMs: config.supervisor.stopTimeoutMs,
    launcher: createProcessLauncher(),
    identities: { uid: process.getuid?.() ?? null, self: { name: os.userInfo().username, home: os.userInfo().homedir }, users: createUserDb() },
    registry,
    clock,
    log,
  });
  const services = createServiceManager({
    registry: serviceModules,
    supervisor,
    store: createServicesStore(paths.servicesFile),
    role: config.role,
    dataDisks: config.dataDisks,
    ports: config.ports,
    stateDir: paths.stateDir,
    logDir: paths.logDir,
    nodePath: process.execPath,
    // In the bundle, the directory of agent.js, where the service programs are bundled beside it.
    programDir: __dirname,
    clock,
    log,
  });
  const monitor = createMonitor({
    config: config.monitor,
    stateDir: paths.stateDir,
    source: createSystemSource(),
    services: () => services.status(),
    serviceMetrics: () => services.metrics(),
    run: createCommandRunner(),
    clock,
    log,
  });
  const health = createHealthCheck({ supervisor, serviceReasons: () => services.healthReasons(), logWriteError: () => logFile.lastError(), startedAt, clock });
  /** The Prometheus endpoint while it listens (a holder: the settings replace it while the agent runs). */
  const metricsEndpoint: { current: PrometheusEndpoint | null } = { current: null };
  /** Makes /metrics serve what the settings say: closed, then opened again on the new address. */
  const applySettings = async (wanted: AgentSettings): Promise<{ running: AgentSettings; error: string | null }> => {
    await metricsEndpoint.current?.close();
    metricsEndpoint.current = null;
    const want = wanted.prometheus;
    if (!want.enabled) return { running: wanted, error: null };
    const off = { prometheus: { ...want, enabled: false } };
    if (!config.monitor.enabled) return { running: off, error: 'the monitor is off in agent.json (monitor.enabled: false), so /metrics has nothing to serve; turn the monitor on first' };
    try {
      metricsEndpoint.current = await startPrometheusEndpoint({ config: want, token, monitor, log });
      return { running: wanted, error: null };
    } catch (err) {
      // A /metrics that cannot listen (port taken) is logged, not fatal: the control API matters more.
      log.error('monitor.prometheus-listen-failed', { error: err as Error });
      return { running: off, error: `/metrics cannot listen on ${want.host}:${want.port} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); choose another port` };
    }
  };
  const settings = createAgentSettings({ file: paths.settingsFile, agentJson: { prometheus: config.monitor.prometheus }, apply: applySettings, log });
  const handlers = createHandlers({
    build,
    startedAt,
    maxRequestBytes: config.control.maxRequestBytes,
    config,
    features: () => [
      'supervisor',
      'service-users',
      'service-modules',
      'agent-settings',
      ...(config.control.tcp ? ['tcp-fallback'] : []),
      ...(config.monitor.enabled ? ['monitor'] : []),
      ...(metricsEndpoint.current ? ['prometheus'] : []),
    ],
    health,
    inventory: createInventory({ probes: createHostProbes(lazyInventoryLibraries()), clock }),
    services,
    settings,
    logRing,
    monitor,
    log,
  });
  const server = createControlServer({
    dispatch: createDispatcher({ handlers, maxRequestBytes: config.control.maxRequestBytes, log }),
    checkToken: createBearerCheck(token),
    maxRequestBytes: config.control.maxRequestBytes,
    socketPath: paths.socketPath,
    runDir: paths.runDir,
    tcp: config.control.tcp,
    log,
  });

  const stopped = waitForStop(log);
  let addresses: string[];
  try {
    addresses = await server.listen();
  } catch (err) {
    log.error('agent.listen-failed', { error: err as Error });
    stderr(`appliance-agent: cannot open the control API: ${(err as Error).message}`);
    await server.close().catch(() => undefined);
    logFile.close();
    lock.release();
    return EXIT_FAILURE;
  }
  supervisor.start();
  await services.start();
  monitor.start();
  // settings.json (or agent.json) decides whether /metrics is served.
  await settings.load();
  log.info('agent.started', { addresses: addresses.join(' '), services: services.status().length });

  const reason = await stopped;
  log.info('agent.stopping', { reason: reason.why });
  await server.close();
  await metricsEndpoint.current?.close();
  services.stop();
  monitor.stop();
  // SIGKILL follows SIGTERM after stopTimeoutMs; a process stuck in the kernel (D state, a dead
  // disk) survives even that, and must not keep the agent from exiting and being restarted.
  const deadline = config.supervisor.stopTimeoutMs + 5000;
  const finished = await Promise.race([supervisor.stopAll().then(() => true), new Promise<false>((r) => setTimeout(() => r(false), deadline).unref())]);
  if (!finished) log.error('agent.stop-incomplete', { msg: `services still running ${deadline} ms after the stop began`, services: supervisor.status().filter((s) => s.state === 'stopping').map((s) => s.name).join(' ') });
  log.info('agent.stopped', { reason: reason.why });
  logFile.close();
  lock.release();
  return reason.code;
}

/** Resolves on the first stop signal or fatal error; later signals are ignored (the stop is under way). */
function waitForStop(log: ReturnType<typeof createLogger>): Promise<{ why: string; code: number }> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (why: string, code: number) => {
      if (done) return;
      done = true;
      resolve({ why, code });
    };
    for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, () => finish(signal, EXIT_OK));
    // A bug must not leave services orphaned: stop them in order, exit 1, and let the watchdog restart us.
    process.on('uncaughtException', (err) => {
      log.error('agent.uncaught-exception', { error: err, stack: err.stack ?? null });
      finish('uncaught-exception', EXIT_FAILURE);
    });
    process.on('unhandledRejection', (err) => {
      log.error('agent.unhandled-rejection', { error: err instanceof Error ? err : new Error(String(err)) });
      finish('unhandled-rejection', EXIT_FAILURE);
    });
  });
}

/**
 * systeminformation and node-disk-info are loaded on the first inventory call, not at start: an
 * agent that is only sampling (the monitor reads /proc itself) does not need them, and they add
 * about 4 MB of resident memory (bench/agent-monitor.bench.ts, "after one inventory.v1 call").
 */
function lazyInventoryLibraries(): Parameters<typeof createHostProbes>[0] {
  let si: Promise<typeof import('systeminformation')> | null = null;
  const load = () => (si ??= import('systeminformation').then((m) => m.default ?? m));
  return {
    si: {
      osInfo: async () => (await load()).osInfo(),
      cpu: async () => (await load()).cpu(),
      mem: async () => (await load()).mem(),
      blockDevices: async () => (await load()).blockDevices(),
      diskLayout: async () => (await load()).diskLayout(),
      fsSize: async () => (await load()).fsSize(),
      // Called without arguments, networkInterfaces resolves to the array; its overloads for the
      // other call forms cannot be restated by one arrow function, hence the cast.
      networkInterfaces: (async () => (await load()).networkInterfaces()) as Parameters<typeof createHostProbes>[0]['si']['networkInterfaces'],
    },
    getDiskInfo: async () => (await import('node-disk-info')).getDiskInfo(),
  };
}

function safeJson(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return null;
  }
}
