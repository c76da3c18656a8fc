import os from 'node:os';
import path from 'node:path';
import { app, BrowserWindow, dialog } from 'electron';
import { ApiError } from '../../contract/errors';
import { EXIT } from '../../cli/exit-codes';
import { createConsole } from '../../compose';
import { defaultResources } from '../../provision/provisioner';
import { systemClock } from '../../core/clock';
import { createLogger } from '../../core/log';
import { registerIpc } from './ipc';
import { createMainWindow, isAppUrl } from './main-window';
import { createSafeStorageSecretBox } from './safe-storage-secret-box';

/**
 * Desktop composition root: open the store, build the services, register the API, create the
 * window. Behaviour lives in the services (shared with the headless host), not here.
 */
if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  const log = createLogger({ level: process.env.APPLIANCE_CONSOLE_LOG_LEVEL === 'debug' ? 'debug' : 'info' });
  app.enableSandbox();

  void app.whenReady().then(() => {
    const userData = dataDirFromArgs(process.argv) ?? process.env.APPLIANCE_CONSOLE_DATA_DIR ?? app.getPath('userData');
    let services: ReturnType<typeof createConsole>;
    try {
      services = createConsole({
        host: 'desktop',
        dataDir: userData,
        secretBox: (dir) => createSafeStorageSecretBox(dir, log),
        clock: systemClock,
        log,
        osLocale: app.getLocale(),
        // Packaged: electron-builder copies them beside the asar (extraResources); in development, the repository.
        provisionResources: app.isPackaged
          ? { agentsDir: path.join(process.resourcesPath, 'agents'), runtimesDir: path.join(process.resourcesPath, 'runtimes'), installDir: path.join(process.resourcesPath, 'install') }
          : defaultResources(path.resolve(__dirname, '../..')),
      });
    } catch (err) {
      // A refused store (newer schema, someone else's file, a key file others can read) must be
      // said in a window, not swallowed by a promise: the desktop app has no terminal to print to.
      const message = err instanceof Error ? err.message : String(err);
      log.error('console could not start', { error: message });
      dialog.showErrorBox('Appliance Console cannot start / 设备控制台无法启动', message);
      app.exit(err instanceof ApiError && err.code === 'store-refused' ? EXIT.storeRefused : EXIT.failure);
      return;
    }
    const pages = {
      rendererUrl: !app.isPackaged ? process.env.ELECTRON_RENDERER_URL : undefined,
      rendererFile: path.join(__dirname, '../renderer/index.html'),
    };
    const ipc = registerIpc({
      dispatcher: services.dispatcher,
      events: services.events,
      isTrustedUrl: (url) => isAppUrl(url, pages),
      actor: os.userInfo().username,
    });
    const open = () => ipc.attach(createMainWindow({ userData, preload: path.join(__dirname, '../preload/index.js'), ...pages }).webContents);
    open();

    app.on('second-instance', () => {
      const win = BrowserWindow.getAllWindows()[0];
      if (win) {
        if (win.isMinimized()) win.restore();
        win.focus();
      }
    });
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) open();
    });
    // Quitting waits (at most SHUTDOWN_WAIT_MS) for a watch round to finish writing, then exits.
    let closing = false;
    app.on('will-quit', (event) => {
      if (closing) return;
      closing = true;
      event.preventDefault();
      ipc.dispose();
      void services.close().finally(() => app.exit(0));
    });
  });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
}

/** `--data-dir DIR` or `--data-dir=DIR` on the command line (overrides the environment and userData). */
function dataDirFromArgs(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--data-dir' && argv[i + 1]) return path.resolve(argv[i + 1]!);
    if (a.startsWith('--data-dir=')) return path.resolve(a.slice('--data-dir='.length));
  }
  return undefined;
}
