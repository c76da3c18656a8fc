import { SecretUnreadableError } from '../secrets/secret-box';
import type { ApplianceStore } from '../store/appliance-store';
import type { CredentialStore } from '../store/credential-store';
import type { HostKeyStore } from '../store/host-key-store';
import type { SshPoolOptions } from './ssh-pool';

/**
 * What the pool dials for an appliance, read from the store at each dial. Nothing is sent to a
 * machine whose host key no person has accepted: the pool reports that instead of connecting.
 */
export function poolTargetsFromStore(deps: { appliances: ApplianceStore; credentials: CredentialStore; hostKeys: HostKeyStore }): SshPoolOptions['resolve'] {
  return (id) => {
    const a = deps.appliances.get(id);
    if (!a) return { unavailable: { code: 'protocol-error', message: `appliance ${id} no longer exists` } };
    const trustedKeys = deps.hostKeys.forEndpoint(a.address, a.port);
    if (trustedKeys.length === 0) {
      return { unavailable: { code: 'host-key-unknown', message: `${a.name}'s SSH host key has not been accepted yet: test the connection and compare its fingerprint` } };
    }
    try {
      return { target: { address: a.address, port: a.port, user: a.user }, credential: deps.credentials.getLogin(id), trustedKeys };
    } catch (err) {
      if (err instanceof SecretUnreadableError) return { unavailable: { code: 'credential-unreadable', message: err.message } };
      throw err;
    }
  };
}
