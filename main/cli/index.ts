import path from 'node:path';
import { processIo } from './cli-io';
import { runCli } from './run-cli';

/**
 * Entry of `appliance-console` (built to out/main/cli.js). Plain Node: it must never import
 * 'electron', so the same services run on a jump host without a desktop.
 */
const defaultUiDir = process.env.APPLIANCE_CONSOLE_UI_DIR ?? path.resolve(__dirname, '../renderer');
// out/main/cli.js and main/cli/index.ts are both two levels below the application root.
const appRoot = path.resolve(__dirname, '../..');

const untilStopped = () =>
  new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });

/** First Ctrl-C cancels the running operation (its handler decides how); a second one quits. */
const onInterrupt = (handler: () => void) => {
  process.once('SIGINT', () => {
    handler();
    process.once('SIGINT', () => process.exit(130));
  });
};

runCli(process.argv.slice(2), { io: processIo, defaultUiDir, appRoot, untilStopped, onInterrupt }).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
