import http from 'node:http';
import net from 'node:net';
import type { ReadinessProbe } from '../../services/service-module';

export interface ProbeOutcome {
  ok: boolean;
  ms: number;
  /** Why it failed (refused, timed out, HTTP 503); null on success. */
  message: string | null;
}

/** How a probe is named in services.v1 (`tcp:9000`, `http:9000/ready`). */
export function describeProbe(probe: ReadinessProbe): string {
  return probe.kind === 'tcp' ? `tcp:${probe.port}` : `http:${probe.port}${probe.path}`;
}

/**
 * Runs one readiness probe: a TCP connect, or an HTTP GET answered 2xx, within `timeoutMs`.
 * Always resolves (never throws): a failure is an outcome with its reason.
 */
export function runProbe(probe: ReadinessProbe, timeoutMs: number): Promise<ProbeOutcome> {
  const started = performance.now();
  const host = probe.host ?? '127.0.0.1';
  return new Promise((resolve) => {
    let done = false;
    const finish = (message: string | null, cleanup: () => void) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      cleanup();
      resolve({ ok: message === null, ms: Math.round((performance.now() - started) * 100) / 100, message });
    };
    let cleanup: () => void = () => undefined;
    const timer = setTimeout(() => finish(`no answer within ${timeoutMs} ms`, cleanup), timeoutMs);
    if (probe.kind === 'tcp') {
      const sock = net.connect({ host, port: probe.port });
      cleanup = () => sock.destroy();
      sock.once('connect', () => finish(null, cleanup));
      sock.once('error', (err: NodeJS.ErrnoException) => finish(`connect to ${host}:${probe.port} failed: ${err.code ?? err.message}`, cleanup));
    } else {
      const req = http.get({ host, port: probe.port, path: probe.path, agent: false, headers: { 'User-Agent': 'appliance-agent-probe' } }, (res) => {
        res.resume();
        const status = res.statusCode ?? 0;
        finish(status >= 200 && status < 300 ? null : `GET ${probe.path} answered HTTP ${status}`, cleanup);
      });
      cleanup = () => req.destroy();
      req.once('error', (err: NodeJS.ErrnoException) => finish(`GET ${probe.path} on ${host}:${probe.port} failed: ${err.code ?? err.message}`, cleanup));
    }
  });
}
