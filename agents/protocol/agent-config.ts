import * as z from 'zod/mini';
import './zod-locale';
import { absolutePath, DataDiskSchema } from './data-disk';
export { DataDiskSchema, type DataDisk } from './data-disk';
import { DEFAULT_MAX_REQUEST_BYTES, MAX_MAX_REQUEST_BYTES, MIN_MAX_REQUEST_BYTES } from './frames';
import { LOG_LEVELS } from './payloads/logs';
import { PrometheusConfigSchema } from './prometheus-config';
export { PrometheusConfigSchema, type PrometheusConfig } from './prometheus-config';

/**
 * `/etc/appliance-agent/agent.json`, written by the console's provisioner and read by the agent.
 * It lives in the protocol folder because both sides must agree on it: the provisioner validates
 * what it writes with this schema, the agent refuses to start on anything else (exit code 2).
 * Unknown fields are errors, so a typo never silently becomes a default.
 */

/** Linux limits a Unix socket path to 107 bytes (sun_path is 108 with its NUL). */
const socketPath = absolutePath.check(z.refine((p) => new TextEncoder().encode(p).length <= 107, 'a Unix socket path must be at most 107 bytes'));

const unixName = z.string().check(z.regex(/^[a-z_][a-z0-9_-]{0,31}$/, 'expected a Unix user or group name'));
const ms = (min: number, max: number) => z.number().check(z.int(), z.minimum(min), z.maximum(max));

const backoffShape = {
  /** Delay before the first restart after a crash. */
  initialMs: ms(10, 3_600_000),
  /** Cap of the exponential delay; also the delay while a service is flapping. */
  maxMs: ms(10, 3_600_000),
  factor: z.number().check(z.minimum(1), z.maximum(10)),
  /** A run this long counts as stable: the backoff and flapping state reset. */
  stableAfterMs: ms(10, 86_400_000),
};

export const BackoffPolicySchema = z.strictObject({
    initialMs: z._default(backoffShape.initialMs, 1000),
    maxMs: z._default(backoffShape.maxMs, 60_000),
    factor: z._default(backoffShape.factor, 2),
    stableAfterMs: z._default(backoffShape.stableAfterMs, 30_000),
  }).check(z.refine((b) => b.maxMs >= b.initialMs, { message: 'maxMs must be at least initialMs', path: ['maxMs'] }));
export type BackoffPolicy = z.output<typeof BackoffPolicySchema>;

export const FlappingPolicySchema = z.strictObject({
  /** This many crashes within `windowMs` marks a service as flapping. */
  crashes: z._default(z.number().check(z.int(), z.minimum(2), z.maximum(1000)), 5),
  windowMs: z._default(ms(100, 86_400_000), 60_000),
});
export type FlappingPolicy = z.output<typeof FlappingPolicySchema>;

export const ServiceDefinitionSchema = z.strictObject({
  name: z.string().check(z.regex(/^[a-z][a-z0-9-]{0,31}$/, 'expected a lower-case name like "kodo" or "cdn-cache"')),
  /** Absolute path of the program: no PATH lookup, so what runs is exactly what was installed. */
  command: absolutePath,
  args: z._default(z.array(z.string().check(z.maxLength(4096))).check(z.maxLength(256)), []),
  /** Added to a minimal environment (PATH, LANG, HOME, USER); the agent's own environment is not inherited. */
  env: z._default(z.record(z.string().check(z.regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, 'expected an environment variable name')), z.string().check(z.maxLength(32_768))), {}),
  cwd: z._default(absolutePath, '/'),
  /** Run as this user (needs the agent to run as root); its primary group unless `group` is set. */
  user: z.optional(unixName),
  group: z.optional(unixName),
  /** on-failure: restart after a crash only; always: also after a clean exit; never: leave it stopped. */
  restart: z._default(z.enum(['on-failure', 'always', 'never']), 'on-failure'),
  enabled: z._default(z.boolean(), true),
  /** Per-service overrides of the supervisor's backoff. */
  backoff: z.optional(z.partial(z.strictObject(backoffShape))),
});
export type ServiceDefinition = z.output<typeof ServiceDefinitionSchema>;

/**
 * The monitor: system samples every `intervalMs`, kept on disk (bounded) and served by `metrics.v1`;
 * SMART every `smart.intervalMs` (`smart.v1`); an optional Prometheus endpoint. Omitted: all defaults.
 */

export const MonitorConfigSchema = z.strictObject({
  enabled: z._default(z.boolean(), true),
  intervalMs: z._default(ms(1000, 3_600_000), 10_000),
  history: z.prefault(z.strictObject({
      /** Samples kept in memory (the newest), so a console polling every few seconds never touches the disk. */
      memorySamples: z._default(z.number().check(z.int(), z.minimum(10), z.maximum(100_000)), 360),
      /** Cap of the on-disk history (segment files under `<stateDir>/monitor/`); the oldest segments go first. */
      maxDiskBytes: z._default(z.number().check(z.int(), z.minimum(1024 * 1024), z.maximum(10 * 1024 * 1024 * 1024)), 64 * 1024 * 1024),
      /** Samples older than this are dropped (whole segments) even when the cap is not reached. */
      retentionHours: z._default(z.number().check(z.int(), z.minimum(1), z.maximum(24 * 366)), 48),
      /** A segment is sealed (gzipped) when its plain text reaches this size. */
      segmentBytes: z._default(z.number().check(z.int(), z.minimum(16 * 1024), z.maximum(64 * 1024 * 1024)), 1024 * 1024),
    }), {}),
  smart: z.prefault(z.strictObject({
      enabled: z._default(z.boolean(), true),
      intervalMs: z._default(ms(60_000, 7 * 86_400_000), 30 * 60_000),
      /** Default: the first smartctl found in /usr/local/sbin, /usr/sbin, /sbin, /usr/local/bin, /usr/bin, /bin. */
      smartctlPath: z.optional(absolutePath),
      /** Per-call limit for smartctl (a sick drive can take long to answer). */
      timeoutMs: z._default(ms(1000, 600_000), 60_000),
      /** Self-tests started by the agent on every disk; 0 turns a kind off. Long wins when both are due. */
      selfTest: z.prefault(z.strictObject({
          shortEveryHours: z._default(z.number().check(z.int(), z.minimum(0), z.maximum(24 * 366)), 24 * 7),
          longEveryHours: z._default(z.number().check(z.int(), z.minimum(0), z.maximum(24 * 366)), 24 * 30),
        }), {}),
    }), {}),
  prometheus: PrometheusConfigSchema,
});
export type MonitorConfig = z.output<typeof MonitorConfigSchema>;

export const AgentConfigSchema = z.strictObject({
  configVersion: z.literal(1),
  /** What the machine is; services and their defaults follow from it. Reported by `hello`/`version.v1`. */
  role: z._default(z.enum(['server', 'smartbox']), 'server'),
  control: z.prefault(z.strictObject({
      /** Default: `<runDir>/control.sock`. */
      socketPath: z.optional(socketPath),
      /** Loopback TCP listener for machines whose sshd cannot forward Unix sockets; off by default. */
      tcp: z._default(z.nullable(z.strictObject({ host: z.enum(['127.0.0.1', '::1']), port: z.number().check(z.int(), z.minimum(1), z.maximum(65535)) })), null),
      /** File holding the bearer token (mode 0600). Default: `token` beside the config file. */
      tokenFile: z.optional(absolutePath),
      maxRequestBytes: z._default(z.number().check(z.int(), z.minimum(MIN_MAX_REQUEST_BYTES), z.maximum(MAX_MAX_REQUEST_BYTES)), DEFAULT_MAX_REQUEST_BYTES),
    }), {}),
  paths: z.prefault(z.strictObject({
      runDir: z._default(absolutePath, '/run/appliance-agent'),
      stateDir: z._default(absolutePath, '/var/lib/appliance-agent'),
      logDir: z._default(absolutePath, '/var/log/appliance-agent'),
    }), {}),
  log: z.prefault(z.strictObject({
      level: z._default(z.enum(LOG_LEVELS), 'info'),
      /** Rotate agent.log when it would grow past this size. */
      maxBytes: z._default(z.number().check(z.int(), z.minimum(16 * 1024), z.maximum(1024 * 1024 * 1024)), 10 * 1024 * 1024),
      /** Rotated files kept: agent.log.1 … agent.log.N. */
      keep: z._default(z.number().check(z.int(), z.minimum(1), z.maximum(50)), 5),
      /** Entries kept in memory for `logs.v1`. */
      memoryEntries: z._default(z.number().check(z.int(), z.minimum(100), z.maximum(100_000)), 5000),
    }), {}),
  supervisor: z.prefault(z.strictObject({
      backoff: z.prefault(BackoffPolicySchema, {}),
      flapping: z.prefault(FlappingPolicySchema, {}),
      /** After SIGTERM, wait this long before SIGKILL. */
      stopTimeoutMs: z._default(ms(100, 600_000), 10_000),
    }), {}),
  monitor: z.prefault(MonitorConfigSchema, {}),
  /**
   * Disks the media services keep their data on, as the provisioner chose them from what preflight
   * saw: mounted, writable, not removable, not holding the system. Services read them from here.
   */
  dataDisks: z._default(z.array(DataDiskSchema).check(z.maxLength(256)), []).check(z.refine((list) => new Set(list.map((d) => d.mountpoint)).size === list.length, 'data disk mount points must be unique')),
  /** The TCP port of each media service, by port id (`kodo-s3`, `cdn-http`, …: the console's service-ports.ts). */
  ports: z._default(z.record(z.string().check(z.regex(/^[a-z][a-z0-9-]{0,31}$/, 'expected a port id like "kodo-s3"')), z.number().check(z.int(), z.minimum(1), z.maximum(65535))), {}),
  services: z._default(z.array(ServiceDefinitionSchema).check(z.maxLength(64)), []).check(z.refine((list) => new Set(list.map((s) => s.name)).size === list.length, 'service names must be unique')),
  /**
   * The service modules' config file, which the agent writes (`service-configure.v1`) and the
   * provisioner leaves alone (agents/protocol/services/services-file.ts). Default: `services.json`
   * beside agent.json.
   */
  servicesFile: z.optional(absolutePath),
  /**
   * The settings a console changed (`agent-settings.v1`); what it holds wins over agent.json, so
   * an upgrade that rewrites agent.json keeps them. Default: `settings.json` beside agent.json.
   */
  settingsFile: z.optional(absolutePath),
});
export type AgentConfig = z.output<typeof AgentConfigSchema>;
export type AgentConfigInput = z.input<typeof AgentConfigSchema>;
