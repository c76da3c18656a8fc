// Is out/ older than the sources it was built from? Shared by `npm start` and the CLI launcher,
// so neither runs a stale build (tests drive the CLI through the launcher).
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

function newestMtime(dir) {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules') continue;
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** True when `builtFile` exists and no file under `sourceDirs` is newer. Sources absent (an installed app): fresh. */
export function isBuildFresh(root, builtFile, sourceDirs) {
  const built = path.join(root, builtFile);
  if (!existsSync(built)) return false;
  const sourcesAt = Math.max(0, ...sourceDirs.map((d) => newestMtime(path.join(root, d))));
  return statSync(built).mtimeMs >= sourcesAt;
}
