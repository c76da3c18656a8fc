import type { InfiniteData, QueryClient } from '@tanstack/react-query';
import type { MethodOutput } from '../../../main/contract/api.contract';
import type { ApplianceEvent, ApplianceStatus } from '../../../main/contract/status.contract';
import type { TypedClient } from '../../../main/contract/transport';
import { queryKeys } from './query-keys';

/*
 * The status and event caches as plain functions of a QueryClient (no React): live-updates.ts
 * subscribes them once, status-hooks.ts reads them, and tests drive them without a DOM.
 */

export type StatusMap = ReadonlyMap<string, ApplianceStatus>;
export type InventoryAnswer = MethodOutput<'status.inventory'>;
export type EventsPage = MethodOutput<'status.events'>;

/**
 * A round over 1,000 appliances can push 1,000 `status.list` events within a second (the console
 * lost its network, say): they are folded into the map once per this interval, so the table
 * re-renders a few times rather than a thousand.
 */
const STATUS_FLUSH_MS = 250;

export const toMap = (statuses: readonly ApplianceStatus[]): StatusMap => new Map(statuses.map((s) => [s.applianceId, s]));

/** Stores one status in the map (a new map: react-query and memoised rows compare by identity). */
export function putStatuses(queryClient: QueryClient, statuses: readonly ApplianceStatus[]): void {
  if (statuses.length === 0) return;
  queryClient.setQueryData<StatusMap>(queryKeys.statusAll, (old) => {
    if (!old) return old;
    const next = new Map(old);
    for (const s of statuses) next.set(s.applianceId, s);
    return next;
  });
}

/** Puts a live event at the top of the appliance's timeline (if it is loaded and not there yet). */
export function prependEvent(queryClient: QueryClient, event: ApplianceEvent): void {
  queryClient.setQueryData<InfiniteData<EventsPage, number | undefined>>(queryKeys.applianceEvents(event.applianceId), (old) => {
    const first = old?.pages[0];
    if (!old || !first) return old;
    if (old.pages.some((p) => p.events.some((e) => e.id === event.id))) return old;
    return { ...old, pages: [{ ...first, events: [event, ...first.events] }, ...old.pages.slice(1)] };
  });
}

/**
 * Subscribes the caches to the fleet watch's events: statuses batched into the map, appliance
 * events prepended to their timeline. Mounted once (live-updates.ts); returns the unsubscribe.
 */
export function subscribeStatusUpdates(client: TypedClient, queryClient: QueryClient): () => void {
  let pending: ApplianceStatus[] = [];
  let timer: ReturnType<typeof setTimeout> | null = null;
  const flush = () => {
    timer = null;
    const batch = pending;
    pending = [];
    putStatuses(queryClient, batch);
  };
  const offStatus = client.on('status.changed', (status) => {
    pending.push(status);
    timer ??= setTimeout(flush, STATUS_FLUSH_MS);
  });
  const offEvent = client.on('status.applianceEvent', (event) => prependEvent(queryClient, event));
  return () => {
    if (timer !== null) clearTimeout(timer);
    offStatus();
    offEvent();
  };
}
