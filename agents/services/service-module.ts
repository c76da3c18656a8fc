import type * as z from 'zod/mini';
import type { AgentConfig } from '../protocol/agent-config';
import type { DataDisk } from '../protocol/data-disk';

/**
 * A service module: everything the agent needs to run one media service (Kodo, the CDN cache,
 * streaming, Dora). A module is data plus a few pure functions; it never spawns, probes or writes
 * anything itself. The service manager (agents/agent/services/) turns enabled modules and their
 * config into the supervisor's process definitions, probes them and collects their metrics, so the
 * supervisor stays process-only. How to add one: agents/services/README.md.
 */
export interface ServiceModule<Config extends Record<string, unknown> = Record<string, unknown>> {
  /** Lower-case id with dashes (`kodo`, `cdn-cache`): the service's name everywhere (services.v1, logs, metrics). */
  readonly id: string;
  /** The module's version, reported by services.v1. */
  readonly version: string;
  /** The machine roles (agent.json `role`) it runs on; on another role it cannot be enabled. */
  readonly roles: readonly AgentConfig['role'][];
  /** The TCP ports it listens on. The number is agent.json `ports[id]` (the provisioner's choice) or `defaultPort`. */
  readonly ports: readonly ServicePortSpec[];
  /** Its config, with defaults (`agents/protocol/services/<id>.ts`). What the console sends is checked against it. */
  readonly configSchema: z.ZodMiniType<Config, Record<string, unknown>>;
  /** What to run for this config. Called again for every (re)start, so it always sees the current config. */
  launch(config: Config, ctx: ServiceContext): ServiceLaunch;
  /** How to tell it is ready (more than "the process is alive"). */
  readonly readiness: ReadinessSpec<Config>;
  /** Its own figures, read while it is ready (e.g. from its stats endpoint). Optional. */
  metrics?(config: Config, ctx: ServiceContext, signal: AbortSignal): Promise<ServiceMetricReading[]>;
  /**
   * A config change it can take without a restart: when `applies(previous, next)` holds, the agent
   * rewrites `ctx.configFile` and sends `signal` instead of restarting. Optional: without it every
   * change restarts the service.
   */
  readonly reload?: { signal: NodeJS.Signals; applies(previous: Config, next: Config): boolean };
  /**
   * Its own control methods (`kodo.keys-create.v1`), served by the running service on a Unix
   * socket and reached through the agent's `service-call.v1`, which validates params and result
   * against these schemas. Optional.
   */
  readonly control?: ServiceControlSpec<Config>;
}

/** One control method of a module: `<name>.v<N>`, a zod schema each way. */
export interface ServiceControlMethod {
  params: z.ZodMiniType;
  result: z.ZodMiniType;
  summary: string;
}

export interface ServiceControlSpec<Config> {
  methods: Readonly<Record<string, ServiceControlMethod>>;
  /**
   * The Unix socket the service answers control calls on: `POST /control/<method>` with the params
   * as JSON; 200 `{ "result": … }`, or 4xx/5xx `{ "error": { "code": "kodo.not-initialized", "message": "…" } }`.
   */
  socket(config: Config, ctx: ServiceContext): string;
  /** A call's limit (default 30 s). */
  timeoutMs?: number;
}

export interface ServicePortSpec {
  /** Port id as in agent.json `ports` and the console's service-ports.ts (`kodo-s3`). */
  id: string;
  defaultPort: number;
}

/** What the agent knows that a module needs to launch and probe its service. */
export interface ServiceContext {
  role: AgentConfig['role'];
  /** The data disks agent.json lists (chosen by the provisioner from preflight). */
  dataDisks: readonly DataDisk[];
  /** The service's own state directory, `<stateDir>/services/<id>` (created, 0700). */
  dataDir: string;
  /** The service's own log directory, `<logDir>/services/<id>` (created). */
  logDir: string;
  /**
   * The validated config as JSON, `<dataDir>/config.json`, rewritten (atomically) before every
   * start and reload: a service that reads its config from here can reload it on a signal.
   */
  configFile: string;
  /** The Node.js runtime the agent runs on: a service written in TypeScript runs with it. */
  nodePath: string;
  /**
   * The directory the agent's bundle runs from: a service program bundled beside agent.js
   * (scripts/build-agent.mjs) is `<programDir>/<program>.js`.
   */
  programDir: string;
  /** Each port id of the module → its number on this machine. */
  ports: Readonly<Record<string, number>>;
}

/** What the supervisor spawns. The agent adds PATH, HOME, USER, LANG and APPLIANCE_AGENT_SERVICE to `env`. */
export interface ServiceLaunch {
  /** Absolute path of the program. */
  command: string;
  args: string[];
  env?: Record<string, string>;
  /** Default: the service's data directory. */
  cwd?: string;
  /** Run as this Unix user (the agent must be root); default: the agent's user. */
  user?: string;
  group?: string;
  /** Default `on-failure`. */
  restart?: 'on-failure' | 'always';
}

export type ReadinessProbe =
  /** Ready when a TCP connection to the port opens. */
  | { kind: 'tcp'; port: number; host?: string }
  /** Ready when `GET http://host:port<path>` answers 2xx. */
  | { kind: 'http'; port: number; path: string; host?: string };

export interface ReadinessSpec<Config> {
  probe(config: Config, ctx: ServiceContext): ReadinessProbe;
  /** How often it is probed while running (default 5 s). */
  intervalMs?: number;
  /** One probe's limit (default 2 s). */
  timeoutMs?: number;
  /** After a start, failures are `pending`, not `unready`, for this long (default 30 s). */
  startupGraceMs?: number;
}

export interface ServiceMetricReading {
  /** Snake case with the unit at the end (`requests_total`); the full name is `service.<id>.<metric>`. */
  metric: string;
  kind: 'gauge' | 'counter';
  value: number;
}

/** Declares a module with its config type checked against its schema (keeps the generics out of each module file). */
export function defineServiceModule<Config extends Record<string, unknown>>(module: ServiceModule<Config>): ServiceModule<Config> {
  return module;
}
