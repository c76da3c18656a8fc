import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/**
 * The Node.js binary appliances run Kodo with (resources/runtimes/linux-<arch>, which `npm install`
 * fetches), unpacked into `workDir`; this bench's own Node, said so, when it is not there. The
 * same lookup as bench/erasure.bench.ts's, unpacked into the bench's own temp dir.
 */
export function applianceNode(workDir: string): { node: string; label: string } {
  const dir = path.resolve(__dirname, '../../resources/runtimes', `linux-${process.arch}`);
  try {
    const meta = JSON.parse(fs.readFileSync(path.join(dir, 'runtime.json'), 'utf8')) as { version: string; file: string };
    const target = path.join(workDir, `node-${meta.version}`);
    fs.mkdirSync(target, { recursive: true });
    const tar = spawnSync('tar', ['-xzf', path.join(dir, meta.file), '-C', target, 'package/bin/node'], { encoding: 'utf8' });
    if (tar.status !== 0) throw new Error(tar.stderr);
    return { node: path.join(target, 'package/bin/node'), label: `appliance runtime Node v${meta.version}` };
  } catch {
    return { node: process.execPath, label: `Node ${process.version} (the appliance runtime is not in resources/runtimes: npm install fetches it)` };
  }
}
