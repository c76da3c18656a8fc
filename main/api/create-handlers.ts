import type { AgentSettingsService } from '../agent-settings/agent-settings-service';
import type { AlertService } from '../alerts/alert-service';
import type { FleetWatch } from '../connectivity/fleet-watch';
import type { MonitoringApi } from '../monitoring/monitoring-api';
import type { MethodOutput } from '../contract/api.contract';
import type { FleetService } from '../fleet/fleet-service';
import type { OnboardingService } from '../onboarding/onboarding-service';
import type { ProvisionService } from '../provision/provision-service';
import type { ServiceControl } from '../services/service-control';
import type { KodoService } from '../services/kodo/kodo-service';
import type { DiagnoseService } from '../diagnose/diagnose-service';
import type { BundleService } from '../support/bundle-service';
import type { TerminalService } from '../terminal/terminal-service';
import type { SettingsService } from '../settings/settings-service';
import type { AuditStore } from '../store/audit-store';
import type { CapacityService } from '../planning/capacity-service';
import { planLayouts } from '../planning/erasure-coding';
import type { Handlers } from './handlers';

export interface HandlerDeps {
  alerts: AlertService;
  watch: FleetWatch;
  monitoring: MonitoringApi;
  capacity: CapacityService;
  fleet: FleetService;
  onboarding: OnboardingService;
  provisioning: ProvisionService;
  settings: SettingsService;
  services: ServiceControl;
  agentSettings: AgentSettingsService;
  kodo: KodoService;
  diagnose: DiagnoseService;
  bundle: BundleService;
  terminal: TerminalService;
  audit: AuditStore;
  systemInfo: () => ReturnType<Handlers['system.info']>;
}

/** Binds each contract method to the service that implements it. No logic lives here. */
export function createHandlers(d: HandlerDeps): Handlers {
  /** A not-found error for an unknown id, as every other fleet method gives. */
  const requireExists = (id: string) => d.fleet.get(id);
  return {
    'system.info': () => d.systemInfo(),
    'settings.get': () => d.settings.get(),
    'settings.update': (input) => d.settings.update(input),
    'audit.list': (input) => d.audit.page(input.limit, input.before),
    'fleet.list': (input) => ({ appliances: d.fleet.list(input.filter) }),
    'fleet.get': (input) => d.fleet.get(input.id),
    'fleet.add': (input) => d.fleet.add(input),
    'fleet.update': (input) => d.fleet.update(input.id, input.patch),
    'fleet.import': (input) => ({ added: d.fleet.importMany(input) }),
    'fleet.remove': (input) => d.fleet.remove(input.id),
    'onboarding.testConnection': (input) => d.onboarding.testConnection(input.id, input.timeoutMs),
    'provision.install': (input) => d.provisioning.provision(input.id),
    'provision.upgrade': (input) => d.provisioning.upgrade(input.id),
    'provision.uninstall': (input) => d.provisioning.uninstall(input.id, input.purge),
    'provision.cancel': (input) => d.provisioning.cancel(input.id),
    'provision.preflight': (input) => d.provisioning.preflight(input.id),
    'planning.ecLayouts': (input) => ({
      layouts: planLayouts({
        disks: input.disks,
        diskSizeBytes: input.diskSizeTB * 1e12,
        annualFailureRate: input.annualFailureRatePercent / 100,
        rebuildBytesPerSecond: input.rebuildMBps * 1e6,
        reserveFraction: input.reservePercent / 100,
        targetNines: input.targetNines,
      }).map((l) => ({ ...l, durabilityNines: Math.min(99, l.durabilityNines) })),
    }),
    'metrics.catalog': (input) => d.monitoring.catalog(input.applianceId),
    'metrics.series': (input) => d.monitoring.series(input),
    'metrics.latest': (input) => d.monitoring.latest(input.applianceId),
    'metrics.fleetOverview': () => d.monitoring.fleetOverview(() => d.alerts.countsByAppliance()),
    'disks.list': (input) => d.monitoring.disks(input.applianceId),
    'disks.smart': (input) => d.monitoring.smart(input.applianceId, input.device),
    'disks.selfTest': (input) => d.monitoring.selfTest(input.applianceId, input.device, input.kind),
    'capacity.appliance': (input) => d.capacity.appliance(input),
    'capacity.fleet': (input) => d.capacity.fleet(input),
    'capacity.whatIf': (input) => d.capacity.whatIf(input),
    'status.list': (input) => ({ statuses: d.watch.statuses(input.ids) }),
    'status.checkNow': (input) => {
      requireExists(input.id);
      return d.watch.check(input.id);
    },
    'status.inventory': async (input) => {
      requireExists(input.id);
      const r = await d.watch.inventory(input.id, input.refresh);
      return { ...r, inventory: r.inventory as MethodOutput<'status.inventory'>['inventory'] };
    },
    'status.events': (input) => {
      if (input.id) requireExists(input.id);
      return d.watch.events({ applianceId: input.id, before: input.before, limit: input.limit });
    },
    'service.list': (input) => d.services.list(input.applianceId),
    'service.start': (input) => d.services.act('start', input),
    'service.stop': (input) => d.services.act('stop', input),
    'service.restart': (input) => d.services.act('restart', input),
    'service.configure': (input) => d.services.configure(input),
    'agentSettings.get': (input) => d.agentSettings.get(input.applianceId),
    'agentSettings.update': (input) => d.agentSettings.update(input),
    'kodo.status': (input) => d.kodo.status(input.applianceId),
    'kodo.init': (input) => d.kodo.init(input),
    'kodo.listKeys': (input) => d.kodo.listKeys(input.applianceId),
    'kodo.createKey': (input) => d.kodo.createKey(input),
    'kodo.revokeKey': (input) => d.kodo.revokeKey(input),
    'kodo.listBuckets': (input) => d.kodo.listBuckets(input.applianceId),
    'kodo.createBucket': (input) => d.kodo.createBucket(input),
    'kodo.deleteBucket': (input) => d.kodo.deleteBucket(input),
    'kodo.setPublicRead': (input) => d.kodo.setPublicRead(input),
    'kodo.heal': (input) => d.kodo.heal(input),
    'kodo.listObjects': (input) => d.kodo.listObjects(input),
    'kodo.deleteObject': (input) => d.kodo.deleteObject(input),
    'kodo.presignObject': (input) => d.kodo.presignObject(input),
    'kodo.beginUpload': (input) => d.kodo.beginUpload(input),
    'kodo.uploadChunk': (input) => d.kodo.uploadChunk(input),
    'kodo.beginDownload': (input) => d.kodo.beginDownload(input),
    'kodo.downloadChunk': (input) => d.kodo.downloadChunk(input),
    'kodo.cancelTransfer': (input) => d.kodo.cancelTransfer(input),
    'diagnose.run': (input) => d.diagnose.run(input),
    'diagnose.cancel': (input) => d.diagnose.cancel(input.runToken),
    'diagnose.latest': (input) => d.diagnose.latest(input.applianceId),
    'diagnose.history': (input) => d.diagnose.history(input.applianceId, input.limit, input.beforeId),
    'bundle.create': (input) =>
      d.bundle.create({
        applianceId: input.applianceId,
        sinceMs: Date.now() - input.sinceHours * 3_600_000,
        maxBytes: input.maxBytes,
        pseudonymize: input.pseudonymize,
        extraPatterns: input.redactPatterns,
        runToken: input.runToken,
      }),
    'bundle.cancel': (input) => d.bundle.cancel(input.runToken),
    'bundle.read': (input) => d.bundle.read(input.name, input.offset),
    'terminal.open': (input) => d.terminal.open(input),
    'terminal.read': (input) => d.terminal.read(input),
    'terminal.input': (input) => d.terminal.input(input),
    'terminal.resize': (input) => d.terminal.resize(input),
    'terminal.close': (input) => d.terminal.close(input),
    'alerts.list': (input) => d.alerts.list(input),
    'alerts.summary': () => d.alerts.summary(),
    'alerts.acknowledge': (input, ctx) => d.alerts.acknowledge(input.id, input.note, `${ctx.actor} (${ctx.host})`),
    'alerts.silence': (input, ctx) => d.alerts.silence(input, `${ctx.actor} (${ctx.host})`),
    'alerts.silences': (input) => d.alerts.silences(input.includeEnded),
    'alerts.unsilence': (input, ctx) => d.alerts.unsilence(input.id, `${ctx.actor} (${ctx.host})`),
    'alerts.rules': () => d.alerts.rules(),
    'alerts.updateRule': (input) => d.alerts.updateRule(input),
    'alerts.resetRule': (input) => d.alerts.resetRule(input.id),
    'onboarding.acceptHostKey': (input, ctx) => d.onboarding.acceptHostKey(input.id, input.fingerprint, `${ctx.actor} (${ctx.host})`),
  };
}
