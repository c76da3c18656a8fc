import * as z from 'zod/mini';
import './zod-locale';

/**
 * agent.json's `monitor.prometheus`, also what `agent-settings.v1` changes. Its own module, free of
 * other protocol imports: agent-config.ts and payloads/agent-settings.ts both use it, and the
 * cycle agent-config → frames → methods → agent-settings → agent-config would break the console's
 * bundle at load time (as data-disk.ts explains).
 */
const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost']);

export const PrometheusConfigSchema = z.prefault(z.strictObject({
    enabled: z._default(z.boolean(), false),
    host: z._default(z.string().check(z.minLength(1), z.maxLength(255)), '127.0.0.1'),
    port: z._default(z.number().check(z.int(), z.minimum(1), z.maximum(65535)), 9101),
    /** Require `Authorization: Bearer <the control token>`; mandatory unless host is loopback. */
    requireToken: z._default(z.boolean(), false),
  }), {}).check(z.refine((p) => !p.enabled || p.requireToken || LOOPBACK_HOSTS.has(p.host), {
    message: 'a /metrics endpoint on a non-loopback address must set requireToken: true',
    path: ['requireToken'],
  }));
export type PrometheusConfig = z.output<typeof PrometheusConfigSchema>;
