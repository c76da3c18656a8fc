import type { Appliance } from './fleet.contract';

/** What `fleet.list` and the Fleet page filter by; absent fields do not filter. */
export interface ApplianceFilter {
  text?: string | null;
  role?: Appliance['role'] | null;
  tag?: string | null;
}

/**
 * The one rule for "does this appliance match": text anywhere in name, address, user, notes or
 * tags (case-insensitive), exact role, tag (case-insensitive). The service filters `fleet.list`
 * with it and the Fleet page filters its cached list with it, so typing is instant and both agree.
 */
export function applianceMatches(a: Pick<Appliance, 'name' | 'address' | 'user' | 'notes' | 'tags' | 'role'>, f: ApplianceFilter | undefined): boolean {
  if (!f) return true;
  if (f.role && a.role !== f.role) return false;
  if (f.tag) {
    const tag = f.tag.toLowerCase();
    if (!a.tags.some((t) => t.toLowerCase() === tag)) return false;
  }
  const needle = f.text?.trim().toLowerCase();
  if (needle) {
    const haystack = [a.name, a.address, a.user, a.notes, ...a.tags].join('\n').toLowerCase();
    if (!haystack.includes(needle)) return false;
  }
  return true;
}
