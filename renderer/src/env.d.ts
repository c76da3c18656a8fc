import type { ConsoleBridge } from '../../main/contract/transport';

declare global {
  /** Injected by electron.vite.config.ts from package.json. */
  const __CONSOLE_VERSION__: string;

  interface Window {
    /** Present only in the Electron host, where preload exposes it through contextBridge. */
    readonly applianceConsole?: ConsoleBridge;
  }
}

export {};
