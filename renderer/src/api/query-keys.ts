/**
 * Every react-query key in one place, so invalidation after a mutation or an event names exactly
 * what it refreshes. Prefix keys (`fleet`, `audit`) invalidate everything below them.
 */
export const queryKeys = {
  fleet: ['fleet'] as const,
  fleetList: ['fleet', 'list'] as const,
  settings: ['settings'] as const,
  systemInfo: ['system', 'info'] as const,
  audit: ['audit'] as const,
  planning: ['planning'] as const,
  /** Fleet watch results. Not under `fleet`: a fleet edit must not refetch 1,000 statuses (events keep them current). */
  status: ['status'] as const,
  statusAll: ['status', 'all'] as const,
  inventory: (id: string) => ['status', 'inventory', id] as const,
  applianceEvents: (id: string) => ['status', 'events', id] as const,
  /** The Fleet table's CPU, data-disk and alert columns, for every appliance in one answer. */
  fleetOverview: ['monitoring', 'fleet-overview'] as const,
};
