import { createAgentSettingsService } from './agent-settings/agent-settings-service';
import { createAlertService, type AlertService } from './alerts/alert-service';
import { createAlertStore } from './alerts/alert-store';
import { createFleetWatch, type FleetWatch } from './connectivity/fleet-watch';
import { createMonitoringApi } from './monitoring/monitoring-api';
import { createRoleServices } from './services/role-services';
import { createServiceControl } from './services/service-control';
import { createKodoService } from './services/kodo/kodo-service';
import { createDiagnoseService } from './diagnose/diagnose-service';
import type { ServiceStatus } from '../agents/protocol/payloads/services';
import { createDiagnoseStore } from './store/diagnose-store';
import { createBundleService } from './support/bundle-service';
import { createTerminalService } from './terminal/terminal-service';
import type { KodoTransferLimits } from './services/kodo/kodo-transfers';
import { createMonitoring, type Monitoring } from './monitoring/monitoring-service';
import { createCapacityService } from './planning/capacity-service';
import { createApplianceStatusStore } from './store/appliance-status-store';
import { createDispatcher, type Dispatcher } from './api/dispatcher';
import { createHandlers } from './api/create-handlers';
import type { Clock } from './core/clock';
import { createEventBus, type EventBus } from './core/event-bus';
import type { Logger } from './core/log';
import { dataDiskMounts, reportedDataDisks } from './fleet/data-disks';
import { createFleetService, type FleetService } from './fleet/fleet-service';
import { createOnboardingService } from './onboarding/onboarding-service';
import type { ProvisionResources } from './provision/plan';
import { createProvisioner } from './provision/provisioner';
import { createProvisionService } from './provision/provision-service';
import { createPreflightProbe } from './provision/preflight-probe';
import { createAgentSettingsStore } from './store/agent-settings-store';
import { createAgentTokenStore } from './store/agent-token-store';
import { createProvisionRunStore } from './store/provision-run-store';
import type { SecretBox } from './secrets/secret-box';
import { createSettingsService } from './settings/settings-service';
import { createApplianceStore } from './store/appliance-store';
import { createAuditStore } from './store/audit-store';
import { createCredentialStore } from './store/credential-store';
import { openDatabase, schemaVersion, type Db } from './store/database';
import { watchExternalChanges } from './store/external-change-watcher';
import { createHostKeyStore } from './store/host-key-store';
import { createHostKeyChangeStore } from './store/host-key-change-store';
import { createHostKeyTrust } from './reach/host-key-trust';
import { createReach, type Reach } from './reach/reach';
import { sshEdge, type SshEdge } from './reach/ssh-edge';
import { createSettingsStore } from './store/settings-store';
import { CONSOLE_VERSION } from './core/version';

export interface ConsoleOptions {
  host: 'desktop' | 'serve' | 'cli';
  dataDir: string;
  /** Built by the host: OS keychain (desktop) or key file (headless). */
  secretBox: (dataDir: string) => SecretBox;
  clock: Clock;
  log: Logger;
  osLocale?: string;
  /** Agent bundles, Node runtimes and install templates the console carries (see electron.builder.yml). */
  provisionResources: ProvisionResources;
  /** Check every appliance every 10 s (default: long-running hosts do, the CLI does not). */
  watchFleet?: boolean;
  /** Fleet watch round interval; tests shorten it. */
  watchIntervalMs?: number;
  /** Where SSH connections are dialled (main/reach/ssh-edge.ts); a test may put a fake in its place. */
  sshEdge?: SshEdge;
  /** The object browser's transfer sizes (tests make multipart uploads of a few MiB). */
  kodoTransferLimits?: Partial<KodoTransferLimits>;
}

export interface ConsoleServices {
  db: Db;
  events: EventBus;
  fleet: FleetService;
  dispatcher: Dispatcher;
  /** The alert engine; the collectors feed it with `observe` each round. */
  alerts: AlertService;
  watch: FleetWatch;
  /** The one way to reach a machine: logins from the store, host key trust, the pool, the agent. */
  reach: Reach;
  monitoring: Monitoring;
  /**
   * Stops the watch and closes every SSH connection at once. The stores close when the round in
   * flight has ended (its statuses, samples and alerts written), at most SHUTDOWN_WAIT_MS later, or
   * at once when no round runs (the CLI). A round still running then fails its writes, which it
   * logs; SQLite's transactions keep the store whole either way.
   */
  close(): Promise<void>;
}

/** How long closing waits for a round in flight: a dial that hangs must not hold up a quit. */
export const SHUTDOWN_WAIT_MS = 2000;

/**
 * Builds every console service once, for whichever host runs them (Electron, serve, CLI). Hosts
 * add only their transport; nothing here knows how calls arrive.
 */
export function createConsole(opts: ConsoleOptions): ConsoleServices {
  const db = openDatabase({ dataDir: opts.dataDir, clock: opts.clock, log: opts.log.child('store') });
  try {
    const secretBox = opts.secretBox(opts.dataDir);
    const events = createEventBus({
      onListenerError: (err) => opts.log.warn('event listener failed', { error: String(err) }),
      onInvalidEvent: (event, issues) => opts.log.error('an event broke its contract schema and was not delivered', { event, issues }),
    });
    const appliances = createApplianceStore(db);
    const credentials = createCredentialStore(db, secretBox);
    const audit = createAuditStore(db);
    const hostKeys = createHostKeyStore(db);
    const agentTokens = createAgentTokenStore(db, secretBox);
    const settings = createSettingsService({ store: createSettingsStore(db), events });
    const fleet = createFleetService({ db, appliances, credentials, clock: opts.clock, events });
    const alerts = createAlertService({ store: createAlertStore(db), audit, events, clock: opts.clock, host: opts.host });
    // Every connection to a machine goes through here (main/reach): one pooled SSH connection per
    // appliance for the watch and agent calls, one per run for provisioning and tests.
    const trust = createHostKeyTrust({ keys: hostKeys, changes: createHostKeyChangeStore(db), clock: opts.clock, log: opts.log });
    const reach = createReach({ appliances, credentials, agentTokens, trust, edge: opts.sshEdge ?? sshEdge, clock: opts.clock, log: opts.log });
    const dial = (access: Parameters<Reach['dial']>[0]) => reach.dial(access);
    // The agent's own settings: the console's intent, written to the agent by a person's change and
    // again after every provisioning or upgrade run (below).
    const agentSettings = createAgentSettingsService({
      reach,
      store: createAgentSettingsStore(db),
      requireAppliance: (id) => fleet.get(id),
      clock: opts.clock,
      log: opts.log.child('agent-settings'),
    });
    // A fresh install enables the services of the machine's role (Kodo on a server), once.
    const roleServices = createRoleServices({ reach, log: opts.log.child('role-services') });
    const onboarding = createOnboardingService({ appliances, reach, clock: opts.clock, log: opts.log.child('onboarding') });
    const provisioning = createProvisionService({
      appliances,
      reach,
      agentTokens,
      provisioner: createProvisioner({ resources: opts.provisionResources, dial, store: createProvisionRunStore(db), clock: opts.clock, log: opts.log }),
      preflightProbe: createPreflightProbe({ resources: opts.provisionResources, dial, clock: opts.clock, log: opts.log }),
      events,
      clock: opts.clock,
      afterInstall: [
        { id: 'agent-settings', title: 'Agent settings', errorCode: 'agent-settings-not-applied', run: (id) => agentSettings.reapply(id) },
        { id: 'role-services', title: "The role's services", errorCode: 'role-services-not-enabled', run: (id) => roleServices.enable(id) },
      ],
    });
    const status = createApplianceStatusStore(db);
    // Metrics, SMART and alert evaluation ride on the watch's rounds (main/monitoring).
    const retention = settings.get().telemetryRetention;
    const monitoring = createMonitoring({
      db,
      dataDir: opts.dataDir,
      retention: { raw: retention.rawDays, minute: retention.minuteDays, hour: retention.hourDays },
      collect: opts.watchFleet ?? opts.host !== 'cli',
      role: opts.host,
      status,
      appliances,
      alerts,
      clock: opts.clock,
      log: opts.log,
    });
    const watch = createFleetWatch({
      appliances,
      status,
      reach,
      events,
      clock: opts.clock,
      log: opts.log,
      intervalMs: opts.watchIntervalMs,
      collectors: monitoring.collectors,
      afterRound: (statuses) => monitoring.afterRound(statuses),
    });
    const kodo = createKodoService({
      reach,
      requireAppliance: (id) => fleet.get(id),
      reportedDataDisks: (id) => reportedDataDisks(status.get(id)?.inventory),
      clock: opts.clock,
      log: opts.log.child('kodo'),
      ...(opts.kodoTransferLimits ? { transferLimits: opts.kodoTransferLimits } : {}),
    });
    const diagnose = createDiagnoseService({
      reach,
      requireAppliance: (id) => fleet.get(id),
      knownFacts: (id) => {
        const last = status.get(id);
        return {
          dataDiskMounts: dataDiskMounts(last?.inventory) ?? [],
          expectedPorts: ((last?.services ?? []) as ServiceStatus[]).filter((s) => s.enabled !== false).flatMap((s) => (s.ports ?? []).map((p) => ({ service: s.name, port: p.port }))),
        };
      },
      store: createDiagnoseStore(db),
      events,
      clock: opts.clock,
      log: opts.log,
    });
    const bundle = createBundleService({
      reach,
      requireAppliance: (id) => fleet.get(id),
      // The console's own read API, as the UI calls it (bound once the dispatcher exists below).
      readApi: async (method, input) => {
        const r = await dispatcher.call(method as never, input as never, { host: opts.host, actor: 'support-bundle' });
        if (!r.ok) throw new Error(`${method}: ${r.error.message}`);
        return r.result;
      },
      dataDir: opts.dataDir,
      consoleVersion: CONSOLE_VERSION,
      host: opts.host,
      events,
      clock: opts.clock,
      log: opts.log,
    });
    const terminal = createTerminalService({ reach, requireAppliance: (id) => fleet.get(id), dataDir: opts.dataDir, clock: opts.clock, log: opts.log });
    const handlers = createHandlers({
      alerts,
      watch,
      monitoring: createMonitoringApi({ monitoring, reach, status, requireAppliance: (id) => void fleet.get(id) }),
      capacity: createCapacityService({
        // Through the getter at each call: the store opens on first use.
        telemetry: {
          metrics: (id) => monitoring.telemetry.metrics(id),
          latest: (id) => monitoring.telemetry.latest(id),
          range: (...args) => monitoring.telemetry.range(...args),
        },
        appliances: { list: () => fleet.list(), get: (id) => fleet.get(id) },
        dataDiskMounts: (id) => dataDiskMounts(status.get(id)?.inventory),
        clock: opts.clock,
      }),
      services: createServiceControl({
        reach,
        lastStatus: (id) => status.get(id),
        checkNow: (id) => watch.check(id),
        requireAppliance: (id) => fleet.get(id),
        clock: opts.clock,
        log: opts.log.child('services'),
      }),
      agentSettings,
      kodo,
      diagnose,
      bundle,
      terminal,
      fleet,
      onboarding,
      provisioning,
      settings,
      audit,
      systemInfo: () => ({
        version: CONSOLE_VERSION,
        host: opts.host,
        dataDir: opts.dataDir,
        secretStorage: secretBox.kind,
        schemaVersion: schemaVersion(db),
        osLocale: opts.osLocale ?? (Intl.DateTimeFormat().resolvedOptions().locale || 'en'),
      }),
    });
    const dispatcher = createDispatcher({ handlers, audit, clock: opts.clock, log: opts.log.child('api') });
    // The CLI is short-lived and has no one to tell; long-running hosts pass changes on to the UI.
    const stopWatching =
      opts.host === 'cli'
        ? () => {}
        : watchExternalChanges(db, () => {
            // The CLI may have seen a host key change: every connection here must stop using it now.
            trust.refresh();
            events.emit('system.changedElsewhere', {});
          });
    if (opts.watchFleet ?? opts.host !== 'cli') watch.start();
    async function closeOnce(): Promise<void> {
      alerts.dispose();
      stopWatching();
      const busy = watch.roundInFlight();
      const stopped = watch.stop();
      terminal.closeAll();
      // Uploads in progress are aborted on their machines while the connections still stand.
      await Promise.race([kodo.closeTransfers(), new Promise<void>((resolve) => setTimeout(resolve, SHUTDOWN_WAIT_MS).unref())]);
      // In-flight calls on open connections fail now instead of at their timeouts.
      reach.closeAll();
      if (busy) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([stopped, new Promise<void>((resolve) => (timer = setTimeout(resolve, SHUTDOWN_WAIT_MS)))]);
        clearTimeout(timer);
      }
      monitoring.close();
      db.close();
    }
    let closing: Promise<void> | null = null;
    return {
      db,
      events,
      fleet,
      dispatcher,
      alerts,
      watch,
      reach,
      monitoring,
      // Once: a second call (a host's finally after a test's own close) gets the same promise.
      close: () => (closing ??= closeOnce()),
    };
  } catch (err) {
    db.close();
    throw err;
  }
}
