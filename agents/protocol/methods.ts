import type * as z from 'zod/mini';
import { AgentSettingsParamsSchema, AgentSettingsResultSchema } from './payloads/agent-settings';
import { HealthParamsSchema, HealthResultSchema } from './payloads/health';
import { HelloParamsSchema, HelloResultSchema } from './payloads/hello';
import { InventoryParamsSchema, InventoryResultSchema } from './payloads/inventory';
import { LogsParamsSchema, LogsResultSchema } from './payloads/logs';
import { MetricsParamsSchema, MetricsResultSchema } from './payloads/metrics';
import {
  ServiceActionParamsSchema,
  ServiceActionResultSchema,
  ServiceCallParamsSchema,
  ServiceCallResultSchema,
  ServiceConfigureParamsSchema,
  ServiceConfigureResultSchema,
  ServicesParamsSchema,
  ServicesResultSchema,
} from './payloads/services';
import { SmartParamsSchema, SmartResultSchema, SmartSelfTestParamsSchema, SmartSelfTestResultSchema } from './payloads/smart';
import { VersionParamsSchema, VersionResultSchema } from './payloads/version';
import { WatchParamsSchema, WatchResultSchema } from './payloads/watch';

export interface AgentMethodSpec<P extends z.ZodMiniType = z.ZodMiniType, R extends z.ZodMiniType = z.ZodMiniType> {
  params: P;
  result: R;
  summary: string;
}

function method<P extends z.ZodMiniType, R extends z.ZodMiniType>(spec: AgentMethodSpec<P, R>): AgentMethodSpec<P, R> {
  return spec;
}

/**
 * Every method of protocol 1, by its versioned payload name. A payload that changes incompatibly
 * gets a new name (`inventory.v2`) beside the old one; `hello` is never versioned. The agent
 * validates params and results against these schemas, and so does the console.
 */
export const AGENT_METHODS = {
  hello: method({ params: HelloParamsSchema, result: HelloResultSchema, summary: 'Protocol versions, agent version and capabilities; call first' }),
  'version.v1': method({ params: VersionParamsSchema, result: VersionResultSchema, summary: 'Agent version, build target and Node.js version' }),
  'health.v1': method({ params: HealthParamsSchema, result: HealthResultSchema, summary: 'ok or degraded with reasons, uptime, start time' }),
  'inventory.v1': method({ params: InventoryParamsSchema, result: InventoryResultSchema, summary: 'Host, OS, CPU, memory, block devices, file systems, network interfaces' }),
  'services.v1': method({ params: ServicesParamsSchema, result: ServicesResultSchema, summary: 'Each supervised service: state, pid, restarts, crashes, last exit, next restart; for a service module also enabled, readiness, ports, version' }),
  // Names are one word with dashes plus the payload version (METHOD_NAME_PATTERN in frames.ts), hence
  // `service-configure.v1` and not `service.configure.v1`.
  'service-configure.v1': method({ params: ServiceConfigureParamsSchema, result: ServiceConfigureResultSchema, summary: "Enable or disable a service module and set its config (validated first, written atomically); restarts or reloads that service only" }),
  'service-start.v1': method({ params: ServiceActionParamsSchema, result: ServiceActionResultSchema, summary: 'Start one service now (until the agent restarts; enabled in services.json decides at start)' }),
  'service-stop.v1': method({ params: ServiceActionParamsSchema, result: ServiceActionResultSchema, summary: 'Stop one service now (until the agent restarts; enabled in services.json decides at start)' }),
  'service-restart.v1': method({ params: ServiceActionParamsSchema, result: ServiceActionResultSchema, summary: 'Restart one service' }),
  'service-call.v1': method({ params: ServiceCallParamsSchema, result: ServiceCallResultSchema, summary: "One of a service module's own control methods (kodo's keys-create.v1), forwarded to the running service; params and result checked against the module's schemas" }),
  'agent-settings.v1': method({ params: AgentSettingsParamsSchema, result: AgentSettingsResultSchema, summary: "The agent's own settings (Prometheus /metrics): what agent.json and the settings file say, what runs; optionally change them" }),
  'logs.v1': method({ params: LogsParamsSchema, result: LogsResultSchema, summary: 'Recent structured log entries after a cursor' }),
  'metrics.v1': method({ params: MetricsParamsSchema, result: MetricsResultSchema, summary: 'System samples (CPU, memory, network, disks, file systems, temperatures, services) after a cursor' }),
  'smart.v1': method({ params: SmartParamsSchema, result: SmartResultSchema, summary: 'SMART of every disk (smartctl -j -x), key-attribute history, self-test log' }),
  'smart-selftest.v1': method({ params: SmartSelfTestParamsSchema, result: SmartSelfTestResultSchema, summary: 'Start a short or long SMART self-test on one disk' }),
  'watch.v1': method({ params: WatchParamsSchema, result: WatchResultSchema, summary: 'health.v1, services.v1 and optionally metrics.v1 in one answer: what a console asks every round' }),
} as const satisfies Record<string, AgentMethodSpec>;

export type AgentMethods = typeof AGENT_METHODS;
export type AgentMethodName = keyof AgentMethods;
/** What a caller passes (defaults may be omitted). */
export type AgentMethodParamsInput<M extends AgentMethodName> = z.input<AgentMethods[M]['params']>;
/** What a handler receives (defaults applied). */
export type AgentMethodParams<M extends AgentMethodName> = z.output<AgentMethods[M]['params']>;
export type AgentMethodResult<M extends AgentMethodName> = z.output<AgentMethods[M]['result']>;

export const AGENT_METHOD_NAMES = Object.keys(AGENT_METHODS) as AgentMethodName[];

export function isAgentMethodName(name: string): name is AgentMethodName {
  return Object.prototype.hasOwnProperty.call(AGENT_METHODS, name);
}
