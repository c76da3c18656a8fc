import path from 'node:path';
import { BrowserWindow, shell, session } from 'electron';
import { loadWindowState } from './window-state';

export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; " +
  "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

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
  // No remote content, no permission prompts (camera, notifications…) from the page.
  session.defaultSession.setPermissionRequestHandler((_wc, _perm, callback) => callback(false));

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
  if (opts.rendererUrl) return url.startsWith(opts.rendererUrl);
  try {
    const u = new URL(url);
    return u.protocol === 'file:' && path.normalize(decodeURIComponent(u.pathname)) === path.normalize(opts.rendererFile);
  } catch {
    return false;
  }
}
