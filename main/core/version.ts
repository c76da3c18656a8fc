/** Injected at build time by electron-vite (`define`); falls back to the package version under tsx/vitest. */
declare const __CONSOLE_VERSION__: string | undefined;

export const CONSOLE_VERSION: string =
  typeof __CONSOLE_VERSION__ === 'string' ? __CONSOLE_VERSION__ : (process.env.npm_package_version ?? '0.0.0-dev');
