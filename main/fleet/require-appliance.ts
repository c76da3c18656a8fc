import { ApiError } from '../contract/errors';
import type { ApplianceRecord, ApplianceStore } from '../store/appliance-store';

/** The appliance with this id, or the `not-found` error every service answers with. */
export function requireAppliance(appliances: ApplianceStore, id: string): ApplianceRecord {
  const rec = appliances.get(id);
  if (!rec) throw new ApiError('not-found', `No appliance with id ${id}`, { params: { id } });
  return rec;
}
