/**
 * Version and target of this build. scripts/build-agent.mjs replaces the global below with the
 * values of the bundle it builds; run from source (tsx, tests of modules), the agent says "dev".
 */
declare const __APPLIANCE_AGENT_BUILD__: { version: string; target: string } | undefined;

export interface BuildInfo {
  version: string;
  target: string;
}

export function readBuildInfo(): BuildInfo {
  return typeof __APPLIANCE_AGENT_BUILD__ === 'undefined' ? { version: '0.0.0-dev', target: 'dev' } : __APPLIANCE_AGENT_BUILD__;
}
