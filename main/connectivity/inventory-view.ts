import type { ApplianceStatus } from '../contract/status.contract';
import type { Clock } from '../core/clock';
import { AgentUnreachableError, type Reach } from '../reach/reach';
import type { ApplianceStatusStore } from '../store/appliance-status-store';
import { silenceCause } from './silence-cause';

export interface InventoryAnswer {
  inventory: unknown;
  at: string | null;
  /** Why the inventory shown is not fresh (English, for logs and the CLI); null when it is. */
  staleReason: string | null;
  /** The same as a code the UI translates (`ssh.*`, `agent.*`, as status reasons) and its parameters. */
  staleReasonCode: string | null;
  staleReasonParams: Record<string, string | number>;
}

/**
 * `status.inventory`: what the agent reports about the machine (CPUs, memory, disks, NICs). The
 * watch keeps the last answer and refreshes it every `maxAgeMs`; a person asking to refresh gets
 * it from the agent now, or the kept one with why it could not be refreshed.
 */
export function createInventoryView(deps: { status: ApplianceStatusStore; reach: Pick<Reach, 'agent'>; clock: Clock; check(id: string): Promise<ApplianceStatus>; maxAgeMs: number }) {
  const answer = (applianceId: string, stale: { reason: string; code: string | null; params: Record<string, string | number> } | null): InventoryAnswer => {
    const latest = deps.status.get(applianceId);
    return { inventory: latest?.inventory ?? null, at: latest?.inventoryAt ?? null, staleReason: stale?.reason ?? null, staleReasonCode: stale?.code ?? null, staleReasonParams: stale?.params ?? {} };
  };

  return async function inventory(applianceId: string, refresh: boolean): Promise<InventoryAnswer> {
    const kept = deps.status.getStatus(applianceId);
    const isFresh = kept?.inventoryAt && deps.clock.now().getTime() - Date.parse(kept.inventoryAt) < deps.maxAgeMs;
    if (!refresh && isFresh) return answer(applianceId, null);
    const status = await deps.check(applianceId);
    if (status.state !== 'online' && status.state !== 'degraded') return answer(applianceId, { reason: status.reason ?? status.state, code: status.reasonCode, params: status.reasonParams });
    if (!status.health) return answer(applianceId, { reason: status.reason ?? 'the agent does not answer', code: status.reasonCode, params: status.reasonParams });
    const after = deps.status.getStatus(applianceId);
    if (!refresh || !after || after.inventoryAt === status.checkedAt) return answer(applianceId, null);
    // The check kept the inventory it had (fresh enough); a person asked, so fetch it now.
    try {
      const agent = await deps.reach.agent(applianceId);
      deps.status.putInventory(applianceId, await agent.call('inventory.v1'), deps.clock.now().toISOString());
      return answer(applianceId, null);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (err instanceof AgentUnreachableError) return answer(applianceId, { reason: message, code: err.code, params: err.params });
      return answer(applianceId, { reason: message, code: 'agent.silent', params: { cause: silenceCause(err), detail: message } });
    }
  };
}
