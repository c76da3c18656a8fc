import os from 'node:os';
import path from 'node:path';

export const APP_DIR_NAME = 'appliance-console';

/**
 * Where the headless host and the CLI keep their data when neither `--data-dir` nor
 * `APPLIANCE_CONSOLE_DATA_DIR` names one: the per-OS convention (XDG on Linux). The desktop host
 * uses Electron's `userData` instead, which follows the same conventions.
 */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.APPLIANCE_CONSOLE_DATA_DIR) return path.resolve(env.APPLIANCE_CONSOLE_DATA_DIR);
  const home = os.homedir();
  if (platform === 'win32') return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), APP_DIR_NAME);
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', APP_DIR_NAME);
  return path.join(env.XDG_DATA_HOME || path.join(home, '.local', 'share'), APP_DIR_NAME);
}
