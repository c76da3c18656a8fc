import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { KodoConfigSchema, type KodoConfig } from '../../../protocol/services/kodo';
import { startKodoServer } from './kodo-server';

/**
 * kodo-server.js: the program the agent runs for the Kodo module (agents/services/kodo/module.ts
 * says with which arguments). Logs are JSON lines on stdout (the agent keeps them with the
 * service's log). SIGHUP re-reads the config (what can change without a restart: the heal
 * priority); SIGTERM closes the listeners, lets requests in flight end, and exits.
 */

function log(event: string, fields: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ ts: new Date().toISOString(), event, ...fields })}\n`);
}

function readConfig(file: string): KodoConfig {
  return KodoConfigSchema.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      config: { type: 'string' },
      'state-dir': { type: 'string' },
      's3-port': { type: 'string' },
      'qiniu-port': { type: 'string' },
      disk: { type: 'string', multiple: true },
    },
  });
  const configFile = values.config;
  const stateDir = values['state-dir'];
  if (!configFile || !stateDir || !values['s3-port'] || !values['qiniu-port']) {
    throw new Error('usage: kodo-server --config FILE --state-dir DIR --s3-port N --qiniu-port N [--disk DIR]…');
  }
  const server = await startKodoServer({
    stateDir,
    disks: values.disk ?? [],
    config: readConfig(configFile),
    ports: { s3: Number(values['s3-port']), qiniu: Number(values['qiniu-port']) },
    log,
  });
  log('kodo.started', { s3: server.ports.s3, qiniu: server.ports.qiniu, disks: (values.disk ?? []).length, initialized: server.runtime.store() !== null });
  process.on('SIGHUP', () => {
    try {
      server.reconfigure(readConfig(configFile));
      log('kodo.reloaded', {});
    } catch (error) {
      log('kodo.reload-failed', { msg: (error as Error).message });
    }
  });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log('kodo.stopping', { signal });
    void server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        log('kodo.stop-failed', { msg: (error as Error).message });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  log('kodo.failed', { msg: error instanceof Error ? error.message : String(error) });
  process.exit(1);
});
