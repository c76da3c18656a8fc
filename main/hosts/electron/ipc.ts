import { ipcMain, type WebContents } from 'electron';
import type { Dispatcher } from '../../api/dispatcher';
import { ApiError } from '../../contract/errors';
import { IPC_CHANNELS } from '../../contract/transport';
import type { EventBus } from '../../core/event-bus';

const IPC_INVOKE = IPC_CHANNELS.invoke;
const IPC_EVENT = IPC_CHANNELS.event;

/**
 * One IPC channel for every call. The dispatcher validates the input against the contract; here we
 * only check that the call comes from our own window's top frame, never a frame or page that
 * navigated elsewhere.
 */
export function registerIpc(deps: { dispatcher: Dispatcher; events: EventBus; isTrustedUrl: (url: string) => boolean; actor: string }) {
  ipcMain.handle(IPC_INVOKE, async (event, method: unknown, input: unknown) => {
    const frame = event.senderFrame;
    if (!frame || frame !== event.sender.mainFrame || !deps.isTrustedUrl(frame.url)) {
      return { ok: false, error: new ApiError('unauthorized', 'Calls are accepted only from the console window').toBody() };
    }
    return deps.dispatcher.call(typeof method === 'string' ? method : '', input, { host: 'desktop', actor: deps.actor });
  });

  const targets = new Set<WebContents>();
  const unsubscribe = deps.events.subscribe((name, payload) => {
    for (const wc of targets) if (!wc.isDestroyed()) wc.send(IPC_EVENT, name, payload);
  });
  return {
    attach(wc: WebContents) {
      targets.add(wc);
      wc.once('destroyed', () => targets.delete(wc));
    },
    dispose() {
      unsubscribe();
      ipcMain.removeHandler(IPC_INVOKE);
    },
  };
}
