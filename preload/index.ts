import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { IPC_CHANNELS, type CallResult, type ConsoleBridge } from '../main/contract/transport';

/**
 * The whole surface the page gets: one `invoke` and one `subscribe`. No ipcRenderer, no Node.
 * (A sandboxed preload cannot require files at run time; electron-vite bundles IPC_CHANNELS in.)
 */
const IPC_INVOKE = IPC_CHANNELS.invoke;
const IPC_EVENT = IPC_CHANNELS.event;

const bridge = {
  invoke: (method: string, input: unknown) => ipcRenderer.invoke(IPC_INVOKE, method, input) as Promise<CallResult<unknown>>,
  subscribe(listener: (event: string, payload: unknown) => void) {
    const handler = (_e: IpcRendererEvent, name: string, payload: unknown) => listener(name, payload);
    ipcRenderer.on(IPC_EVENT, handler);
    return () => {
      ipcRenderer.removeListener(IPC_EVENT, handler);
    };
  },
} satisfies ConsoleBridge;

contextBridge.exposeInMainWorld('applianceConsole', bridge);
