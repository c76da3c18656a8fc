import { ApiError } from '../contract/errors';
import { formatEndpoint } from '../contract/network-address';
import type { ConnectionReport } from '../contract/onboarding.contract';
import type { Clock } from '../core/clock';
import type { Logger } from '../core/log';
import { requireAppliance } from '../fleet/require-appliance';
import type { Reach } from '../reach/reach';
import type { ApplianceStore } from '../store/appliance-store';
import { probeConnection } from '../ssh/connection-probe';

export interface OnboardingDeps {
  appliances: ApplianceStore;
  reach: Pick<Reach, 'access' | 'dial' | 'forget' | 'trust'>;
  clock: Clock;
  log: Logger;
  /** Upper bound for a test connection, milliseconds (15 s by default). */
  timeoutMs?: number;
}

/**
 * Onboarding: test a login stage by stage, and accept a host key a person has compared (trust on
 * first use). A changed key is never accepted implicitly: only `acceptHostKey` with the new
 * fingerprint replaces the old one (and lifts the refusal every connection of this console
 * applies meanwhile), and the dispatcher audits that call.
 */
export function createOnboardingService(deps: OnboardingDeps) {
  return {
    async testConnection(id: string, timeoutMs?: number): Promise<ConnectionReport> {
      requireAppliance(deps.appliances, id);
      const r = deps.reach.access(id);
      if (!r.ok) return { ok: false, stage: 'connect', latencyMs: null, hostKey: null, auth: null, sudo: null, platform: null, failure: r.failure };
      const { access } = r;
      // Dialled even after a host key change: it stops at the key, before any credential, and
      // shows the key the machine presents now beside the accepted one.
      const report = await probeConnection({ target: access.target, sudoPassword: access.sudoPassword, connect: () => deps.reach.dial(access, { timeoutMs: timeoutMs ?? deps.timeoutMs, evenIfKeyChanged: true }) });
      deps.log.info('connection tested', { appliance: access.name, ok: report.ok, stage: report.stage, failure: report.failure?.code });
      return report;
    },

    async acceptHostKey(id: string, fingerprint: string, actor: string) {
      const a = requireAppliance(deps.appliances, id);
      const endpoint = formatEndpoint(a.address, a.port);
      // Look at the key the machine presents now: accept it only if it is the one the person saw.
      const seen = await deps.reach.dial({ target: { address: a.address, port: a.port, user: a.user }, credential: null, trustedKeys: [] }, { keyOnly: true, timeoutMs: deps.timeoutMs });
      if (!seen.hostKey) {
        throw new ApiError('conflict', `Could not read the host key of ${endpoint}: ${seen.ok ? 'no key' : seen.failure.message}`, { params: { endpoint } });
      }
      if (seen.ok) seen.close();
      if (seen.hostKey.fingerprint !== fingerprint) {
        throw new ApiError('conflict', `${endpoint} now presents ${seen.hostKey.fingerprint}, not the fingerprint you accepted (${fingerprint}); test the connection again and compare`, {
          params: { presented: seen.hostKey.fingerprint, accepted: fingerprint },
        });
      }
      const { replaced } = deps.reach.trust.accept({
        address: a.address,
        port: a.port,
        keyType: seen.hostKey.keyType,
        fingerprint: seen.hostKey.fingerprint,
        publicKey: seen.hostKey.publicKey,
        acceptedAt: deps.clock.now().toISOString(),
        acceptedBy: actor,
      });
      // A connection refused for the old key must not wait out its backoff.
      deps.reach.forget(id);
      return { id, keyType: seen.hostKey.keyType, fingerprint: seen.hostKey.fingerprint, replaced };
    },
  };
}
export type OnboardingService = ReturnType<typeof createOnboardingService>;
