import type { Appliance } from '../../../../main/contract/fleet.contract';

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

/**
 * The same matching rules as the fleet service's `fleet.list` filter (text in name, address,
 * user, notes or tags, case-insensitive; exact role; tag case-insensitive), applied to the cached
 * list so typing filters instantly.
 */
export function filterAppliances(appliances: readonly Appliance[], filter: FleetFilter): readonly Appliance[] {
  if (!isFilterActive(filter)) return appliances;
  const needle = filter.text.trim().toLowerCase();
  const tag = filter.tag?.toLowerCase() ?? null;
  return appliances.filter((a) => {
    if (filter.role !== null && a.role !== filter.role) return false;
    if (tag !== null && !a.tags.some((t) => t.toLowerCase() === tag)) return false;
    if (needle !== '') {
      const haystack = [a.name, a.address, a.user, a.notes, ...a.tags].join('\n').toLowerCase();
      if (!haystack.includes(needle)) return false;
    }
    return true;
  });
}

/** Every tag in use, once, sorted for the tag filter and the tag picker. */
export function collectTags(appliances: readonly Appliance[]): string[] {
  const tags = new Set<string>();
  for (const a of appliances) for (const t of a.tags) tags.add(t);
  return [...tags].sort((a, b) => a.localeCompare(b));
}
