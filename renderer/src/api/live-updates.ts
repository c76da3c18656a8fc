import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { useApiClient, useLinkStatus } from './api-context';
import { queryKeys } from './query-keys';
import { subscribeStatusUpdates } from './status-cache';

/** Bulk changes (a script adding 200 appliances) arrive as bursts of events: refetch once per burst. */
const FLEET_EVENT_SETTLE_MS = 150;

/**
 * Keeps cached server state in step with changes made elsewhere (another window, the CLI, a
 * colleague on the same headless host): events invalidate what they touch, and after the event
 * stream was down everything is refetched, since events may have been missed meanwhile.
 */
export function useLiveUpdates(): void {
  const client = useApiClient();
  const queryClient = useQueryClient();
  const link = useLinkStatus();
  const wasOffline = useRef(false);

  useEffect(() => {
    let pending: ReturnType<typeof setTimeout> | null = null;
    const offFleet = client.on('fleet.changed', () => {
      if (pending !== null) clearTimeout(pending);
      pending = setTimeout(() => {
        pending = null;
        void queryClient.invalidateQueries({ queryKey: queryKeys.fleet });
        void queryClient.invalidateQueries({ queryKey: queryKeys.audit });
      }, FLEET_EVENT_SETTLE_MS);
    });
    const offSettings = client.on('settings.changed', (settings) => {
      queryClient.setQueryData(queryKeys.settings, settings);
      void queryClient.invalidateQueries({ queryKey: queryKeys.audit });
    });
    // The Fleet table's alert column follows alert changes at once (its CPU and disk figures poll).
    const offAlerts = client.on('alerts.changed', () => void queryClient.invalidateQueries({ queryKey: queryKeys.fleetOverview }));
    // Written by another process: we do not know what changed, so refetch everything shown.
    const offElsewhere = client.on('system.changedElsewhere', () => void queryClient.invalidateQueries());
    // The fleet watch's statuses and appliance events patch their caches (no refetch per event).
    const offStatus = subscribeStatusUpdates(client, queryClient);
    return () => {
      offStatus();
      if (pending !== null) clearTimeout(pending);
      offFleet();
      offSettings();
      offElsewhere();
      offAlerts();
    };
  }, [client, queryClient]);

  useEffect(() => {
    if (link === 'offline') wasOffline.current = true;
    if (link === 'online' && wasOffline.current) {
      wasOffline.current = false;
      void queryClient.invalidateQueries();
    }
  }, [link, queryClient]);
}
