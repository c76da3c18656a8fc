import type { ConsoleBridge } from '../../../main/contract/transport';
import type { Transport } from './transport';
import { createValueStore } from './value-store';

/**
 * The Electron transport: preload already exposes a ConsoleBridge over IPC. IPC cannot drop and
 * there is no session to expire, so the status stores never change.
 */
export function createDesktopTransport(bridge: ConsoleBridge): Transport {
  return {
    kind: 'desktop',
    bridge,
    link: createValueStore('online'),
    session: createValueStore('active'),
    close() {},
  };
}
