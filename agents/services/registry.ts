import { SERVICE_ID_PATTERN } from '../protocol/services/services-file';
import { kodoModule } from './kodo/module';
import type { ServiceModule } from './service-module';

/**
 * The service modules this agent build ships, in the order services.v1 lists them. A module that
 * does not run a real service is never listed here (tests register theirs through
 * `createServiceRegistry`, the injection point).
 */
export const PRODUCTION_SERVICE_MODULES: readonly ServiceModule[] = [kodoModule as unknown as ServiceModule];

export interface ServiceRegistry {
  readonly modules: readonly ServiceModule[];
  get(id: string): ServiceModule | undefined;
  ids(): string[];
}

/** A registry of the given modules (production: PRODUCTION_SERVICE_MODULES). Refuses a bad or repeated id at once. */
export function createServiceRegistry(modules: readonly ServiceModule[]): ServiceRegistry {
  const byId = new Map<string, ServiceModule>();
  for (const m of modules) {
    if (!SERVICE_ID_PATTERN.test(m.id)) throw new Error(`service module id "${m.id}" must be lower-case letters, digits and dashes, starting with a letter (at most 32)`);
    if (byId.has(m.id)) throw new Error(`two service modules have the id "${m.id}"; ids must be unique`);
    byId.set(m.id, m as unknown as ServiceModule);
  }
  return {
    modules: [...byId.values()],
    get: (id) => byId.get(id),
    ids: () => [...byId.keys()],
  };
}
