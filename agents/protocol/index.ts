/** The agent protocol, shared by the agent and the console: pure TypeScript and zod, no Node APIs. */
export * from './agent-config';
export * from './bridge';
export * from './errors';
export * from './frames';
export * from './methods';
export * from './payloads/common';
export * from './payloads/health';
export * from './payloads/hello';
export * from './payloads/inventory';
export * from './payloads/logs';
export * from './payloads/metrics';
export * from './payloads/services';
export * from './payloads/smart';
export * from './payloads/version';
export * from './payloads/watch';
