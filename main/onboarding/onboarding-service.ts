import { ApiError } from '../contract/errors';
import type { ConnectionReport } from '../contract/onboarding.contract';
import type { Clock } from '../core/clock';
import type { Logger } from '../core/log';
import { requireAppliance } from '../fleet/require-appliance';
import { SecretUnreadableError } from '../secrets/secret-box';
import { probeConnection } from '../ssh/connection-probe';
import { connectSsh } from '../ssh/ssh-connect';
import type { ApplianceStore } from '../store/appliance-store';
import type { Credential, CredentialStore } from '../store/credential-store';
import type { HostKeyStore } from '../store/host-key-store';

export interface OnboardingDeps {
  appliances: ApplianceStore;
  credentials: CredentialStore;
  hostKeys: HostKeyStore;
  clock: Clock;
  log: Logger;
  /** Upper bound for a test connection, milliseconds (15 s by default). */
  timeoutMs?: number;
}

/**
 * Onboarding: test a login stage by stage, and accept a host key a person has compared (trust on
 * first use). A changed key is never accepted implicitly: only `acceptHostKey` with the new
 * fingerprint replaces the old one, and the dispatcher audits that call.
 */
export function createOnboardingService(deps: OnboardingDeps) {
  const mustGet = (id: string) => requireAppliance(deps.appliances, id);

  return {
    async testConnection(id: string, timeoutMs?: number): Promise<ConnectionReport> {
      const a = mustGet(id);
      let credential: Credential | null;
      let sudoPassword: string | null;
      try {
        credential = deps.credentials.getLogin(id);
        sudoPassword = deps.credentials.getSudoPassword(id);
      } catch (err) {
        if (!(err instanceof SecretUnreadableError)) throw err;
        return {
          ok: false,
          stage: 'connect',
          latencyMs: null,
          hostKey: null,
          auth: null,
          sudo: null,
          platform: null,
          failure: { code: 'credential-unreadable', message: err.message },
        };
      }
      const report = await probeConnection({
        target: { address: a.address, port: a.port, user: a.user },
        credential,
        sudoPassword,
        trustedKeys: deps.hostKeys.forEndpoint(a.address, a.port),
        timeoutMs: timeoutMs ?? deps.timeoutMs,
      });
      deps.log.info('connection tested', { appliance: a.name, ok: report.ok, stage: report.stage, failure: report.failure?.code });
      return report;
    },

    async acceptHostKey(id: string, fingerprint: string, actor: string) {
      const a = mustGet(id);
      // Look at the key the machine presents now: accept it only if it is the one the person saw.
      const seen = await connectSsh({ target: { address: a.address, port: a.port, user: a.user }, credential: null, trustedKeys: [], timeoutMs: deps.timeoutMs });
      if (!seen.hostKey) {
        throw new ApiError('conflict', `Could not read the host key of ${a.address}:${a.port}: ${seen.ok ? 'no key' : seen.failure.message}`, { params: { endpoint: `${a.address}:${a.port}` } });
      }
      if (seen.ok) seen.client.end();
      if (seen.hostKey.fingerprint !== fingerprint) {
        throw new ApiError('conflict', `${a.address}:${a.port} now presents ${seen.hostKey.fingerprint}, not the fingerprint you accepted (${fingerprint}); test the connection again and compare`, {
          params: { presented: seen.hostKey.fingerprint, accepted: fingerprint },
        });
      }
      const previous = deps.hostKeys.forEndpoint(a.address, a.port);
      deps.hostKeys.replace({
        address: a.address,
        port: a.port,
        keyType: seen.hostKey.keyType,
        fingerprint: seen.hostKey.fingerprint,
        publicKey: seen.hostKey.publicKey,
        acceptedAt: deps.clock.now().toISOString(),
        acceptedBy: actor,
      });
      const replaced = previous.find((k) => k.fingerprint !== fingerprint)?.fingerprint ?? null;
      return { id, keyType: seen.hostKey.keyType, fingerprint: seen.hostKey.fingerprint, replaced };
    },
  };
}
export type OnboardingService = ReturnType<typeof createOnboardingService>;
