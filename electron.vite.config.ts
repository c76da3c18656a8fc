import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';
import type { Plugin } from 'vite';
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

/**
 * Deviations from the electron-vite template, on purpose:
 * - Sources live in the design card's top-level folders (main/, preload/, renderer/), not src/…,
 *   so every entry is named explicitly.
 * - main builds two entries: the Electron composition root (index) and the CLI/headless host (cli),
 *   which runs on plain Node and must never import 'electron'.
 * - The renderer is minified (electron-vite's default is not): most of first-render time is parsing it.
 * - The renderer uses relative asset paths (base './') because the same build is loaded from
 *   file:// by Electron and from http://host/ by the headless host.
 */
export default defineConfig({
  main: {
    define,
    build: {
      outDir: 'out/main',
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
    plugins: [react(), contentSecurityPolicy],
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
