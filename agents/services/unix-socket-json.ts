import http from 'node:http';

/**
 * One JSON exchange with a service over its Unix socket: the agent's service-call.v1 and a
 * module's metrics reader both speak to services this way. The answer is read up to `maxBytes`
 * (a larger one is a bug in the service, not data to hold); a body that is not JSON is `null`.
 */
export function unixSocketJson(request: {
  socketPath: string;
  method: 'GET' | 'POST';
  path: string;
  body?: unknown;
  /** Socket inactivity limit; omitted: none (the caller's `signal` bounds the exchange). */
  timeoutMs?: number;
  maxBytes: number;
  signal?: AbortSignal;
}): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const data = request.body === undefined ? null : Buffer.from(JSON.stringify(request.body));
    const headers = data ? { 'content-type': 'application/json', 'content-length': data.length } : {};
    const req = http.request({ socketPath: request.socketPath, path: request.path, method: request.method, headers, ...(request.timeoutMs !== undefined ? { timeout: request.timeoutMs } : {}), ...(request.signal ? { signal: request.signal } : {}) }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > request.maxBytes) {
          req.destroy(new Error(`the answer is over ${request.maxBytes} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      res.on('end', () => {
        let body: unknown = null;
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          body = null;
        }
        resolve({ status: res.statusCode ?? 0, body });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
    req.end(data ?? undefined);
  });
}
