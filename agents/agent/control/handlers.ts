import os from 'node:os';
import { PROTOCOL_VERSION, SUPPORTED_PROTOCOLS } from '../../protocol/frames';
import { AGENT_METHOD_NAMES } from '../../protocol/methods';
import type { AgentConfig } from '../../protocol/agent-config';
import type { HealthResult } from '../../protocol/payloads/health';
import type { BuildInfo } from '../build-info';
import type { Inventory } from '../inventory/inventory';
import type { Logger } from '../logging/logger';
import type { LogRing } from '../logging/log-ring';
import type { Monitor } from '../monitor/monitor';
import type { ServiceManager } from '../services/service-manager';
import type { AgentSettingsControl } from '../settings/agent-settings';
import type { AgentHandlers } from './dispatcher';

/** Protocol methods → the agent's parts. Each handler is one line of glue; the logic lives in the parts. */
export function createHandlers(deps: {
  build: BuildInfo;
  startedAt: number;
  maxRequestBytes: number;
  /** `hello`'s features, asked at each call (turning Prometheus on adds `prometheus`). */
  features: () => string[];
  /** What `version.v1` (and, for data disks, `inventory.v1`) reports of agent.json. */
  config: Pick<AgentConfig, 'role' | 'dataDisks' | 'ports'>;
  health: () => HealthResult;
  inventory: Inventory;
  services: ServiceManager;
  settings: AgentSettingsControl;
  logRing: LogRing;
  monitor: Monitor;
  log: Logger;
}): AgentHandlers {
  return {
    hello: (params) => {
      deps.log.info('control.hello', { client: params.client ?? null });
      return {
        agent: 'appliance-agent',
        agentVersion: deps.build.version,
        protocol: PROTOCOL_VERSION,
        protocols: [...SUPPORTED_PROTOCOLS],
        capabilities: { methods: [...AGENT_METHOD_NAMES], features: deps.features() },
        limits: { maxRequestBytes: deps.maxRequestBytes },
        hostname: os.hostname(),
        startedAt: new Date(deps.startedAt).toISOString(),
      };
    },
    'version.v1': () => ({
      agentVersion: deps.build.version,
      target: deps.build.target,
      node: process.version,
      platform: process.platform,
      arch: process.arch,
      protocol: PROTOCOL_VERSION,
      role: deps.config.role,
      dataDisks: deps.config.dataDisks,
      ports: deps.config.ports,
    }),
    'health.v1': () => deps.health(),
    'inventory.v1': async () => ({ ...(await deps.inventory.collect()), dataDisks: deps.config.dataDisks }),
    'services.v1': () => ({ services: deps.services.status() }),
    'service-configure.v1': (params) => deps.services.configure(params),
    'service-start.v1': (params) => deps.services.act('start', params.id),
    'service-stop.v1': (params) => deps.services.act('stop', params.id),
    'service-restart.v1': (params) => deps.services.act('restart', params.id),
    'service-call.v1': (params) => deps.services.call(params),
    'agent-settings.v1': (params) => (params.set ? deps.settings.set(params.set) : deps.settings.get()),
    'logs.v1': (params) => deps.logRing.query(params),
    'metrics.v1': (params) => deps.monitor.metrics(params),
    'smart.v1': (params) => deps.monitor.smart.get(params),
    'smart-selftest.v1': (params) => deps.monitor.smart.selfTest(params.device, params.kind),
    'watch.v1': (params) => ({
      health: deps.health(),
      services: deps.services.status(),
      metrics: params.metrics ? deps.monitor.metrics(params.metrics) : null,
    }),
  };
}
