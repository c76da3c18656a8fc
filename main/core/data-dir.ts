import fs from 'node:fs';
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

/**
 * Files in a data directory that hold the fleet (names, addresses, encrypted credentials, audit
 * log, metrics) or the key to its secrets, with SQLite's companions (-wal, -shm, a rollback
 * journal): readable by their owner only.
 */
const PRIVATE_FILE = /^(?:(?:console|telemetry)\.sqlite(?:-wal|-shm|-journal)?|secret\.key)$/;
/** Pre-migration copies of the databases (main/store/database.ts `backupPath`). */
const BACKUPS_DIR = 'backups';

/**
 * Why a data directory cannot be used safely, with what to do about it. The store turns it into
 * `store-refused` (the CLI's exit code 5, "data directory refused").
 */
export class DataDirRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DataDirRefusedError';
  }
}

/**
 * Makes the data directory private to the user the console runs as, before anything is read from
 * it: the directory (and backups/) 0700, the databases, their -wal/-shm and secret.key 0600. A
 * directory or file that already exists with looser modes — made by an older console, by `mkdir`
 * with the usual 0755, or copied in — is tightened when this user owns it, and refused when
 * another user does (we could not keep it private, and would be writing someone else's data).
 * Returns what was tightened, for the log. Windows has no POSIX modes: nothing to do there.
 */
export function securePrivateDataDir(dir: string, platform: NodeJS.Platform = process.platform): string[] {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (platform === 'win32' || typeof process.getuid !== 'function') return [];
  const uid = process.getuid();
  const wanted: [file: string, mode: number][] = [[dir, 0o700]];
  for (const name of fs.readdirSync(dir)) if (PRIVATE_FILE.test(name)) wanted.push([path.join(dir, name), 0o600]);
  const backups = path.join(dir, BACKUPS_DIR);
  if (fs.existsSync(backups)) {
    wanted.push([backups, 0o700]);
    for (const name of fs.readdirSync(backups)) wanted.push([path.join(backups, name), 0o600]);
  }
  // Another console process closing its connection deletes -wal and -shm at any moment: a file
  // gone between listing and looking needs nothing.
  const found = wanted.flatMap(([file, mode]) => {
    const st = fs.statSync(file, { throwIfNoEntry: false });
    return st ? [{ file, mode, st }] : [];
  });
  // Every owner is checked before any mode changes: a refused directory is left exactly as it was.
  const foreign = found.find((f) => f.st.uid !== uid);
  if (foreign) {
    throw new DataDirRefusedError(
      `${foreign.file} belongs to another user (uid ${foreign.st.uid}; the console runs as uid ${uid}), so the console cannot keep it private to you. ` +
        `Run the console as that user, or choose another --data-dir (or APPLIANCE_CONSOLE_DATA_DIR).`,
    );
  }
  const tightened: string[] = [];
  for (const { file, mode, st } of found) {
    const was = st.mode & 0o777;
    if (was === mode) continue;
    try {
      fs.chmodSync(file, mode);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw new DataDirRefusedError(`${file} is open to other users (mode ${was.toString(8)}) and cannot be made private (${(err as NodeJS.ErrnoException).code ?? String(err)}); run: chmod ${mode.toString(8)} '${file}'`);
    }
    tightened.push(`${file} ${was.toString(8)} → ${mode.toString(8)}`);
  }
  return tightened;
}

/**
 * Creates `file` empty with mode 0600 if it is missing, so SQLite never creates it with its default
 * 0644 (less the umask). SQLite gives a database's -wal and -shm the database file's own mode, so
 * they are private from their first byte too.
 */
export function createPrivateFile(file: string): void {
  let fd: number;
  try {
    fd = fs.openSync(file, 'wx', 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return;
    throw err;
  }
  try {
    if (process.platform !== 'win32') fs.fchmodSync(fd, 0o600); // a umask could have taken the owner's bits too
  } finally {
    fs.closeSync(fd);
  }
}
