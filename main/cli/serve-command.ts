import fs from 'node:fs';
import net from 'node:net';
import { parseArgs } from 'node:util';
import type { ConsoleServices } from '../compose';
import type { Logger } from '../core/log';
import { startServeHost } from '../hosts/serve/serve-host';
import { TOKEN_PATTERN } from '../hosts/serve/session-auth';
import { UsageError, type CliIo } from './cli-io';
import { EXIT, EXIT_CODES_HELP } from './exit-codes';
import { osActor } from './open-console';

export const DEFAULT_LISTEN = '127.0.0.1:7420';

export const SERVE_HELP = `Usage: appliance-console serve [options]

Run the console headless: the UI and the API on one port, for a browser on this machine or,
with TLS, on a jump host. Prints a login URL; the token in it is required for every request.

Options:
  --listen HOST:PORT   address to bind (default ${DEFAULT_LISTEN}; port 0 picks a free one).
                       A non-loopback address also needs --tls-cert and --tls-key.
  --tls-cert FILE      PEM certificate chain
  --tls-key FILE       PEM private key
  --data-dir DIR       console data directory (default: $APPLIANCE_CONSOLE_DATA_DIR or the XDG data dir)
  --ui-dir DIR         built UI to serve (default: the one beside this program)
  -h, --help           this help

Environment:
  APPLIANCE_CONSOLE_TOKEN   use this session token instead of a random one (32+ characters of A-Z a-z 0-9 _ -)

${EXIT_CODES_HELP}`;

export function parseListen(value: string): { host: string; port: number } {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(value) ?? /^([^:]+):(\d+)$/.exec(value);
  if (!m) throw new UsageError(`--listen wants HOST:PORT (e.g. ${DEFAULT_LISTEN}, or [::1]:7420), got "${value}"`);
  const port = Number(m[2]);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--listen port must be 0–65535, got ${m[2]}`);
  return { host: m[1]!, port };
}

export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (net.isIPv4(host)) return host.startsWith('127.');
  if (net.isIPv6(host)) return host === '::1';
  return false;
}

export interface ServeDeps {
  open: (dataDir?: string) => ConsoleServices;
  defaultUiDir: string;
  log: Logger;
  /** Resolves when the host should stop (SIGINT/SIGTERM in the real CLI). */
  untilStopped: () => Promise<void>;
}

export async function runServeCommand(argv: string[], io: CliIo, deps: ServeDeps): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      listen: { type: 'string' },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      'data-dir': { type: 'string' },
      'ui-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.out(SERVE_HELP);
    return EXIT.ok;
  }
  const listen = parseListen(values.listen ?? DEFAULT_LISTEN);
  const hasCert = Boolean(values['tls-cert']);
  if (hasCert !== Boolean(values['tls-key'])) throw new UsageError('--tls-cert and --tls-key go together');
  if (!isLoopback(listen.host) && !hasCert) {
    throw new UsageError(
      `refusing to listen on ${listen.host} without TLS: the session token would cross the network in clear text. ` +
        `Add --tls-cert FILE --tls-key FILE, or listen on 127.0.0.1 and use an SSH tunnel.`,
    );
  }
  const token = io.env.APPLIANCE_CONSOLE_TOKEN || undefined;
  if (token !== undefined && !TOKEN_PATTERN.test(token)) {
    throw new UsageError('APPLIANCE_CONSOLE_TOKEN must be 32–256 characters of A–Z, a–z, 0–9, _ and - (e.g. from: openssl rand -base64 32 | tr +/ -_ | tr -d =)');
  }
  let tls: { cert: Buffer; key: Buffer } | undefined;
  if (hasCert) {
    try {
      tls = { cert: fs.readFileSync(values['tls-cert']!), key: fs.readFileSync(values['tls-key']!) };
    } catch (err) {
      throw new UsageError(`cannot read TLS files: ${(err as Error).message}`);
    }
  }
  const services = deps.open(values['data-dir']);
  try {
    const host = await startServeHost({
      dispatcher: services.dispatcher,
      events: services.events,
      log: deps.log.child('serve'),
      staticDir: values['ui-dir'] ?? deps.defaultUiDir,
      host: listen.host,
      port: listen.port,
      tls,
      token,
      actor: `${osActor()} (web)`,
    });
    io.out(`Appliance Console is running at ${host.url}`);
    io.out(`Open this login URL (it carries the session token; keep it private):`);
    io.out(`  ${host.loginUrl}`);
    await deps.untilStopped();
    await host.close();
    return EXIT.ok;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      io.err(`error: ${listen.host}:${listen.port} is already in use; choose another with --listen HOST:PORT (port 0 picks a free one)`);
      return EXIT.failure;
    }
    if (code === 'EADDRNOTAVAIL') {
      io.err(`error: ${listen.host} is not an address of this machine`);
      return EXIT.failure;
    }
    throw err;
  } finally {
    await services.close();
  }
}
