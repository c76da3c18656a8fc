import { createDesktopTransport } from './desktop-transport';
import { createHttpTransport } from './http-transport';
import type { Transport } from './transport';

/**
 * One UI, two hosts: inside Electron, preload has put the bridge on window; in a browser served by
 * `appliance-console serve`, we talk HTTP and WebSocket to the page's own origin.
 */
export function selectTransport(): Transport {
  const preloadBridge = window.applianceConsole;
  return preloadBridge ? createDesktopTransport(preloadBridge) : createHttpTransport(window.location);
}
