import path from 'node:path';
import { BrowserWindow, shell, session } from 'electron';
import { CONTENT_SECURITY_POLICY } from '../../contract/content-security-policy';
import { loadWindowState } from './window-state';


/**
 * The console window: isolated, sandboxed, no Node in the page, a strict CSP on every response,
 * no navigation away from the app and no new windows (external links open in the OS browser).
 */
export function createMainWindow(opts: { userData: string; preload: string; rendererUrl?: string; rendererFile: string }): BrowserWindow {
  const state = loadWindowState(opts.userData);
  const win = new BrowserWindow({
    ...state.bounds,
    minWidth: 960,
    minHeight: 600,
    show: false,
    title: 'Appliance Console',
    webPreferences: {
      preload: opts.preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      spellcheck: false,
    },
  });
  if (state.maximized) win.maximize();

  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
  });
  // No remote content, no permission prompts (camera, microphone, geolocation…) from the page. The
  // one exception: the app's own page may show notifications (new alerts, worded by the UI).
  const mayNotify = (url: string, permission: string) => permission === 'notifications' && isAppUrl(url, opts);
  session.defaultSession.setPermissionRequestHandler((wc, permission, callback) => callback(mayNotify(wc.getURL(), permission)));
  session.defaultSession.setPermissionCheckHandler((wc, permission) => (wc ? mayNotify(wc.getURL(), permission) : false));

  win.webContents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url, opts)) event.preventDefault();
  });
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (/^https?:\/\//.test(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  win.once('ready-to-show', () => win.show());
  win.on('close', () => state.save(win));

  if (opts.rendererUrl) void win.loadURL(opts.rendererUrl);
  else void win.loadFile(opts.rendererFile);
  return win;
}

export function isAppUrl(url: string, opts: { rendererUrl?: string; rendererFile: string }): boolean {
  if (opts.rendererUrl) {
    // Same origin, not a string prefix: http://localhost:5173 must not admit :51730 or 5173.evil.
    try {
      return new URL(url).origin === new URL(opts.rendererUrl).origin;
    } catch {
      return false;
    }
  }
  try {
    const u = new URL(url);
    return u.protocol === 'file:' && path.normalize(decodeURIComponent(u.pathname)) === path.normalize(opts.rendererFile);
  } catch {
    return false;
  }
}
