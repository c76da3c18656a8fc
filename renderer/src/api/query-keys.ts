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
};
