// Is out/ older than the sources it was built from? Shared by `npm start` and the CLI launcher,
// so neither runs a stale build (tests drive the CLI through the launcher), and by
// scripts/lib/resources.mjs for the agent bundles.
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

/** The newest mtime under `dir` (or of `dir` itself when it is a file); 0 when it does not exist. */
function newestMtime(dir) {
  if (!existsSync(dir)) return 0;
  if (!statSync(dir).isDirectory()) return statSync(dir).mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules') continue;
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** True when `builtFile` exists and no file under `sourceDirs` (directories or files) is newer. Sources absent (an installed app): fresh. */
export function isBuildFresh(root, builtFile, sourceDirs) {
  const built = path.join(root, builtFile);
  if (!existsSync(built)) return false;
  const sourcesAt = Math.max(0, ...sourceDirs.map((d) => newestMtime(path.join(root, d))));
  return statSync(built).mtimeMs >= sourcesAt;
}
