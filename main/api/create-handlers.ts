import type { FleetService } from '../fleet/fleet-service';
import type { SettingsService } from '../settings/settings-service';
import type { AuditStore } from '../store/audit-store';
import type { Handlers } from './handlers';

export interface HandlerDeps {
  fleet: FleetService;
  settings: SettingsService;
  audit: AuditStore;
  systemInfo: () => ReturnType<Handlers['system.info']>;
}

/** Binds each contract method to the service that implements it. No logic lives here. */
export function createHandlers(d: HandlerDeps): Handlers {
  return {
    'system.info': () => d.systemInfo(),
    'settings.get': () => d.settings.get(),
    'settings.update': (input) => d.settings.update(input),
    'audit.list': (input) => d.audit.page(input.limit, input.before),
    'fleet.list': (input) => ({ appliances: d.fleet.list(input.filter) }),
    'fleet.get': (input) => d.fleet.get(input.id),
    'fleet.add': (input) => d.fleet.add(input),
    'fleet.update': (input) => d.fleet.update(input.id, input.patch),
    'fleet.remove': (input) => d.fleet.remove(input.id),
  };
}
