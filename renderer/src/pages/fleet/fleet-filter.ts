import type { Appliance } from '../../../../main/contract/fleet.contract';
import { applianceMatches } from '../../../../main/contract/fleet-filter';

export type ApplianceRole = Appliance['role'];

export interface FleetFilter {
  text: string;
  role: ApplianceRole | null;
  tag: string | null;
}

export const EMPTY_FLEET_FILTER: FleetFilter = { text: '', role: null, tag: null };

export function isFilterActive(filter: FleetFilter): boolean {
  return filter.text.trim() !== '' || filter.role !== null || filter.tag !== null;
}

/** Filters the cached list with the same rule as the server's `fleet.list` (main/contract/fleet-filter.ts). */
export function filterAppliances(appliances: readonly Appliance[], filter: FleetFilter): readonly Appliance[] {
  if (!isFilterActive(filter)) return appliances;
  return appliances.filter((a) => applianceMatches(a, filter));
}

/** Every tag in use, once, sorted for the tag filter and the tag picker. */
export function collectTags(appliances: readonly Appliance[]): string[] {
  const tags = new Set<string>();
  for (const a of appliances) for (const t of a.tags) tags.add(t);
  return [...tags].sort((a, b) => a.localeCompare(b));
}
