import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';
import type { Plugin, Rollup } from 'vite';
import { CONTENT_SECURITY_POLICY_META } from './main/contract/content-security-policy';

const pkg = JSON.parse(readFileSync(resolve(__dirname, 'package.json'), 'utf8')) as { version: string };
const define = { __CONSOLE_VERSION__: JSON.stringify(pkg.version) };

/** Writes the one CSP (main/contract/content-security-policy.ts) into index.html's meta tag. */
const contentSecurityPolicy: Plugin = {
  name: 'appliance-console-csp',
  transformIndexHtml: (html) => {
    if (!html.includes('%CONTENT_SECURITY_POLICY%')) throw new Error('renderer/index.html lost its %CONTENT_SECURITY_POLICY% placeholder');
    return html.replace('%CONTENT_SECURITY_POLICY%', CONTENT_SECURITY_POLICY_META);
  },
};

/** The landing page (renderer/src/app/navigation.tsx: DEFAULT_NAV_KEY), whose code index.html preloads. */
const LANDING_PAGE_MODULE = 'renderer/src/pages/fleet/fleet-page.tsx';

/** A chunk and every chunk it imports statically, except the entry (already loading). */
function staticClosure(bundle: Rollup.OutputBundle, start: Rollup.OutputChunk): string[] {
  const seen = new Set<string>();
  const visit = (chunk: Rollup.OutputChunk): void => {
    if (seen.has(chunk.fileName) || chunk.isEntry) return;
    seen.add(chunk.fileName);
    for (const name of chunk.imports) {
      const next = bundle[name];
      if (next?.type === 'chunk') visit(next);
    }
  };
  visit(start);
  return [...seen];
}

/**
 * `<link rel="modulepreload">` for the landing page's chunks. Without them the browser learns of
 * them only once the entry has been fetched, parsed and run (main.tsx asks for the page), so the
 * page's code arrived a few hundred ms after the entry instead of beside it (`npm run bench -- ui`).
 */
const preloadLandingPage: Plugin = {
  name: 'appliance-console-preload-landing-page',
  apply: 'build',
  transformIndexHtml: {
    order: 'post',
    handler: (_html, ctx) => {
      const bundle = ctx.bundle;
      if (!bundle) return [];
      // By the modules it holds: vite's HTML step sees dynamic entries without their facadeModuleId.
      const page = Object.values(bundle).find((c): c is Rollup.OutputChunk => c.type === 'chunk' && c.isDynamicEntry && c.moduleIds.some((id) => id.replace(/\\/g, '/').endsWith(LANDING_PAGE_MODULE)));
      if (!page) throw new Error(`no chunk for ${LANDING_PAGE_MODULE}: update LANDING_PAGE_MODULE in electron.vite.config.ts`);
      return staticClosure(bundle, page).map((file) => ({ tag: 'link', attrs: { rel: 'modulepreload', crossorigin: true, href: `./${file}` }, injectTo: 'head' as const }));
    },
  },
};

/**
 * Deviations from the electron-vite template, on purpose:
 * - Sources live in the design card's top-level folders (main/, preload/, renderer/), not src/…,
 *   so every entry is named explicitly.
 * - main builds two entries: the Electron composition root (index) and the CLI/headless host (cli),
 *   which runs on plain Node and must never import 'electron'.
 * - The renderer is minified (electron-vite's default is not): most of first-render time is parsing it.
 * - The renderer uses relative asset paths (base './') because the same build is loaded from
 *   file:// by Electron and from http://host/ by the headless host.
 * - index.html preloads the landing page's chunks (preloadLandingPage).
 */
export default defineConfig({
  main: {
    define,
    build: {
      outDir: 'out/main',
      // zod is bundled (tree-shaken, one file) instead of required from node_modules: loading its
      // ~60 CommonJS files and every locale took ~90 ms of the headless host's ~320 ms start-up.
      // The other dependencies stay external: native modules (better-sqlite3, ssh2's optional
      // crypto) and ws's optional native helpers cannot be bundled.
      externalizeDeps: { exclude: ['zod'] },
      rollupOptions: {
        input: { index: resolve(__dirname, 'main/hosts/electron/index.ts'), cli: resolve(__dirname, 'main/cli/index.ts') },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      rollupOptions: { input: { index: resolve(__dirname, 'preload/index.ts') } },
    },
  },
  renderer: {
    root: resolve(__dirname, 'renderer'),
    base: './',
    define,
    plugins: [react(), contentSecurityPolicy, preloadLandingPage],
    build: {
      outDir: resolve(__dirname, 'out/renderer'),
      emptyOutDir: true,
      // electron-vite leaves output unminified; the renderer's parse time is the cold-start cost.
      minify: 'esbuild',
      chunkSizeWarningLimit: 2000,
      rollupOptions: { input: { index: resolve(__dirname, 'renderer/index.html') } },
    },
  },
});
