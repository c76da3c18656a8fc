import path from 'node:path';
import type { MonitorConfig } from '../../protocol/agent-config';
import type { MetricsResult } from '../../protocol/payloads/metrics';
import type { ServiceStatus } from '../../protocol/payloads/services';
import type { ServiceMetricSample } from '../../protocol/services/service-metrics';
import type { Clock } from '../clock';
import type { CommandRunner } from '../inventory/command-runner';
import type { Logger } from '../logging/logger';
import { openHistoryStore, type HistoryStore } from './history-store';
import { createSampler, type Sampler } from './sampler';
import { createSmartMonitor, type SmartMonitor } from './smart/smart-monitor';
import type { SystemSource } from './system-source';

/**
 * The monitor's parts, wired for run-agent.ts: sampler → history (metrics.v1), SMART (smart.v1,
 * smart-selftest.v1). The Prometheus endpoint is started by run-agent beside it (it needs the token).
 */
export interface Monitor {
  start(): void;
  stop(): void;
  metrics(params: { after?: string; limit: number }): MetricsResult;
  smart: SmartMonitor;
  history: HistoryStore;
  sampler: Sampler;
}

export function createMonitor(deps: {
  config: MonitorConfig;
  stateDir: string;
  source: SystemSource;
  services: () => ServiceStatus[];
  /** The service modules' latest figures, stored in each sample beside the system's. */
  serviceMetrics?: () => ServiceMetricSample[];
  run: CommandRunner;
  clock: Clock;
  log: Logger;
}): Monitor {
  const { config } = deps;
  const log = deps.log.child({});
  const dir = path.join(deps.stateDir, 'monitor');
  const history = openHistoryStore({
    dir,
    memorySamples: config.history.memorySamples,
    maxDiskBytes: config.history.maxDiskBytes,
    retentionMs: config.history.retentionHours * 3_600_000,
    segmentBytes: config.history.segmentBytes,
    now: deps.clock.now,
    log,
  });
  const sampler = createSampler({
    source: deps.source,
    store: history,
    services: deps.services,
    ...(deps.serviceMetrics ? { serviceMetrics: deps.serviceMetrics } : {}),
    intervalMs: config.intervalMs,
    clock: deps.clock,
    log,
  });
  const smart = createSmartMonitor({ config: config.enabled ? config.smart : { ...config.smart, enabled: false }, stateFile: path.join(dir, 'smart-state.json'), run: deps.run, clock: deps.clock, log });
  return {
    start() {
      if (!config.enabled) return;
      sampler.start();
      smart.start();
      log.info('monitor.started', { intervalMs: config.intervalMs, historyId: history.historyId, smart: config.smart.enabled });
    },
    stop() {
      sampler.stop();
      smart.stop();
      history.close();
    },
    metrics: (params) => ({ ...history.query(params), intervalMs: config.intervalMs }),
    smart,
    history,
    sampler,
  };
}
