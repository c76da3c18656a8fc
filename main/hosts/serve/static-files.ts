import fs from 'node:fs';
import path from 'node:path';
import type { ServerResponse } from 'node:http';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * Serves the built renderer. Only files under `root` are reachable: the resolved path must stay
 * inside it, so `..` and encoded variants cannot escape. Hashed assets are cached for a year;
 * index.html never, so an upgrade is picked up on reload.
 */
export function createStaticFiles(root: string) {
  const realRoot = fs.existsSync(root) ? fs.realpathSync(root) : path.resolve(root);
  return {
    root: realRoot,
    exists: () => fs.existsSync(path.join(realRoot, 'index.html')),
    /** Returns false when there is no such file (the caller sends 404). */
    send(urlPath: string, res: ServerResponse, headers: Record<string, string>): boolean {
      let rel: string;
      try {
        rel = decodeURIComponent(urlPath === '/' ? '/index.html' : urlPath);
      } catch {
        return false;
      }
      if (rel.includes('\0')) return false;
      const file = path.resolve(realRoot, '.' + rel);
      if (file !== realRoot && !file.startsWith(realRoot + path.sep)) return false;
      let st: fs.Stats;
      try {
        st = fs.statSync(file);
      } catch {
        return false;
      }
      if (!st.isFile()) return false;
      const immutable = rel.startsWith('/assets/');
      res.writeHead(200, {
        ...headers,
        'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream',
        'Content-Length': String(st.size),
        'Cache-Control': immutable ? 'public, max-age=31536000, immutable' : 'no-store',
      });
      fs.createReadStream(file).pipe(res);
      return true;
    },
  };
}
