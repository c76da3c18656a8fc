import { z } from 'zod';
import { DEFAULT_MAX_REQUEST_BYTES, MAX_MAX_REQUEST_BYTES, MIN_MAX_REQUEST_BYTES } from './frames';
import { LOG_LEVELS } from './payloads/logs';

/**
 * `/etc/appliance-agent/agent.json`, written by the console's provisioner and read by the agent.
 * It lives in the protocol folder because both sides must agree on it: the provisioner validates
 * what it writes with this schema, the agent refuses to start on anything else (exit code 2).
 * Unknown fields are errors, so a typo never silently becomes a default.
 */

const absolutePath = z
  .string()
  .min(2)
  .max(4096)
  .refine((p) => p.startsWith('/') && !p.includes('\0') && !p.split('/').includes('..'), 'must be an absolute path without ".."');

/** Linux limits a Unix socket path to 107 bytes (sun_path is 108 with its NUL). */
const socketPath = absolutePath.refine((p) => new TextEncoder().encode(p).length <= 107, 'a Unix socket path must be at most 107 bytes');

const unixName = z.string().regex(/^[a-z_][a-z0-9_-]{0,31}$/, 'expected a Unix user or group name');
const ms = (min: number, max: number) => z.number().int().min(min).max(max);

const backoffShape = {
  /** Delay before the first restart after a crash. */
  initialMs: ms(10, 3_600_000),
  /** Cap of the exponential delay; also the delay while a service is flapping. */
  maxMs: ms(10, 3_600_000),
  factor: z.number().min(1).max(10),
  /** A run this long counts as stable: the backoff and flapping state reset. */
  stableAfterMs: ms(10, 86_400_000),
};

export const BackoffPolicySchema = z
  .strictObject({
    initialMs: backoffShape.initialMs.default(1000),
    maxMs: backoffShape.maxMs.default(60_000),
    factor: backoffShape.factor.default(2),
    stableAfterMs: backoffShape.stableAfterMs.default(30_000),
  })
  .refine((b) => b.maxMs >= b.initialMs, { message: 'maxMs must be at least initialMs', path: ['maxMs'] });
export type BackoffPolicy = z.output<typeof BackoffPolicySchema>;

export const FlappingPolicySchema = z.strictObject({
  /** This many crashes within `windowMs` marks a service as flapping. */
  crashes: z.number().int().min(2).max(1000).default(5),
  windowMs: ms(100, 86_400_000).default(60_000),
});
export type FlappingPolicy = z.output<typeof FlappingPolicySchema>;

export const ServiceDefinitionSchema = z.strictObject({
  name: z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, 'expected a lower-case name like "kodo" or "cdn-cache"'),
  /** Absolute path of the program: no PATH lookup, so what runs is exactly what was installed. */
  command: absolutePath,
  args: z.array(z.string().max(4096)).max(256).default([]),
  /** Added to a minimal environment (PATH, LANG, HOME, USER); the agent's own environment is not inherited. */
  env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, 'expected an environment variable name'), z.string().max(32_768)).default({}),
  cwd: absolutePath.default('/'),
  /** Run as this user (needs the agent to run as root); its primary group unless `group` is set. */
  user: unixName.optional(),
  group: unixName.optional(),
  /** on-failure: restart after a crash only; always: also after a clean exit; never: leave it stopped. */
  restart: z.enum(['on-failure', 'always', 'never']).default('on-failure'),
  enabled: z.boolean().default(true),
  /** Per-service overrides of the supervisor's backoff. */
  backoff: z.strictObject(backoffShape).partial().optional(),
});
export type ServiceDefinition = z.output<typeof ServiceDefinitionSchema>;

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost']);

/**
 * The monitor: system samples every `intervalMs`, kept on disk (bounded) and served by `metrics.v1`;
 * SMART every `smart.intervalMs` (`smart.v1`); an optional Prometheus endpoint. Omitted: all defaults.
 */
export const MonitorConfigSchema = z.strictObject({
  enabled: z.boolean().default(true),
  intervalMs: ms(1000, 3_600_000).default(10_000),
  history: z
    .strictObject({
      /** Samples kept in memory (the newest), so a console polling every few seconds never touches the disk. */
      memorySamples: z.number().int().min(10).max(100_000).default(360),
      /** Cap of the on-disk history (segment files under `<stateDir>/monitor/`); the oldest segments go first. */
      maxDiskBytes: z.number().int().min(1024 * 1024).max(10 * 1024 * 1024 * 1024).default(64 * 1024 * 1024),
      /** Samples older than this are dropped (whole segments) even when the cap is not reached. */
      retentionHours: z.number().int().min(1).max(24 * 366).default(48),
      /** A segment is sealed (gzipped) when its plain text reaches this size. */
      segmentBytes: z.number().int().min(16 * 1024).max(64 * 1024 * 1024).default(1024 * 1024),
    })
    .prefault({}),
  smart: z
    .strictObject({
      enabled: z.boolean().default(true),
      intervalMs: ms(60_000, 7 * 86_400_000).default(30 * 60_000),
      /** Default: the first smartctl found in /usr/local/sbin, /usr/sbin, /sbin, /usr/local/bin, /usr/bin, /bin. */
      smartctlPath: absolutePath.optional(),
      /** Per-call limit for smartctl (a sick drive can take long to answer). */
      timeoutMs: ms(1000, 600_000).default(60_000),
      /** Self-tests started by the agent on every disk; 0 turns a kind off. Long wins when both are due. */
      selfTest: z
        .strictObject({
          shortEveryHours: z.number().int().min(0).max(24 * 366).default(24 * 7),
          longEveryHours: z.number().int().min(0).max(24 * 366).default(24 * 30),
        })
        .prefault({}),
    })
    .prefault({}),
  prometheus: z
    .strictObject({
      enabled: z.boolean().default(false),
      host: z.string().min(1).max(255).default('127.0.0.1'),
      port: z.number().int().min(1).max(65535).default(9101),
      /** Require `Authorization: Bearer <the control token>`; mandatory unless host is loopback. */
      requireToken: z.boolean().default(false),
    })
    .prefault({})
    .refine((p) => !p.enabled || p.requireToken || LOOPBACK_HOSTS.has(p.host), {
      message: 'a /metrics endpoint on a non-loopback address must set requireToken: true',
      path: ['requireToken'],
    }),
});
export type MonitorConfig = z.output<typeof MonitorConfigSchema>;

export const AgentConfigSchema = z.strictObject({
  configVersion: z.literal(1),
  /** What the machine is; services and their defaults follow from it. Reported by `hello`/`version.v1`. */
  role: z.enum(['server', 'smartbox']).default('server'),
  control: z
    .strictObject({
      /** Default: `<runDir>/control.sock`. */
      socketPath: socketPath.optional(),
      /** Loopback TCP listener for machines whose sshd cannot forward Unix sockets; off by default. */
      tcp: z
        .strictObject({ host: z.enum(['127.0.0.1', '::1']), port: z.number().int().min(1).max(65535) })
        .nullable()
        .default(null),
      /** File holding the bearer token (mode 0600). Default: `token` beside the config file. */
      tokenFile: absolutePath.optional(),
      maxRequestBytes: z.number().int().min(MIN_MAX_REQUEST_BYTES).max(MAX_MAX_REQUEST_BYTES).default(DEFAULT_MAX_REQUEST_BYTES),
    })
    .prefault({}),
  paths: z
    .strictObject({
      runDir: absolutePath.default('/run/appliance-agent'),
      stateDir: absolutePath.default('/var/lib/appliance-agent'),
      logDir: absolutePath.default('/var/log/appliance-agent'),
    })
    .prefault({}),
  log: z
    .strictObject({
      level: z.enum(LOG_LEVELS).default('info'),
      /** Rotate agent.log when it would grow past this size. */
      maxBytes: z.number().int().min(16 * 1024).max(1024 * 1024 * 1024).default(10 * 1024 * 1024),
      /** Rotated files kept: agent.log.1 … agent.log.N. */
      keep: z.number().int().min(1).max(50).default(5),
      /** Entries kept in memory for `logs.v1`. */
      memoryEntries: z.number().int().min(100).max(100_000).default(5000),
    })
    .prefault({}),
  supervisor: z
    .strictObject({
      backoff: BackoffPolicySchema.prefault({}),
      flapping: FlappingPolicySchema.prefault({}),
      /** After SIGTERM, wait this long before SIGKILL. */
      stopTimeoutMs: ms(100, 600_000).default(10_000),
    })
    .prefault({}),
  monitor: MonitorConfigSchema.prefault({}),
  services: z
    .array(ServiceDefinitionSchema)
    .max(64)
    .default([])
    .refine((list) => new Set(list.map((s) => s.name)).size === list.length, 'service names must be unique'),
});
export type AgentConfig = z.output<typeof AgentConfigSchema>;
export type AgentConfigInput = z.input<typeof AgentConfigSchema>;
