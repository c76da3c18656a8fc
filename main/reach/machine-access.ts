import { SecretUnreadableError } from '../secrets/secret-box';
import type { SshTarget, TrustedKey } from '../ssh/ssh-connect';
import type { SshFailure } from '../ssh/ssh-failure';
import type { ApplianceStore } from '../store/appliance-store';
import type { Credential, CredentialStore } from '../store/credential-store';
import { hostKeyChangedFailure, type HostKeyChange, type HostKeyTrust } from './host-key-trust';

/** Everything needed to log in to one machine, assembled in one place from the store. */
export interface MachineAccess {
  applianceId: string | null;
  /** The appliance's name (or the address, for a machine not registered). */
  name: string;
  target: SshTarget;
  credential: Credential | null;
  /** For a non-root login whose sudo asks for a password; sent only when sudo prompts. */
  sudoPassword: string | null;
  /** Keys a person accepted for the endpoint; empty until one is. */
  trustedKeys: TrustedKey[];
  /**
   * A key other than the accepted one, seen by a connection of this console: nothing may log in
   * until a person accepts the new key. Only the connection test dials (it shows both keys and
   * stops at the key, before any credential); everything else refuses (`refusal`).
   */
  hostKeyChange: HostKeyChange | null;
}

export type AccessResult = { ok: true; access: MachineAccess } | { ok: false; failure: SshFailure };

/** Why an access must not be used to log in: a changed host key no person has accepted yet. */
export function refusal(access: MachineAccess): SshFailure | null {
  return access.hostKeyChange ? hostKeyChangedFailure(access.hostKeyChange) : null;
}

/**
 * The login of a registered appliance, or why there is none: the appliance is gone, or its
 * secrets cannot be read by this host (another host's keychain). A machine whose key no person
 * has accepted yet gets an access with no trusted keys: dialling it shows the key and stops
 * before any credential is sent.
 */
export function machineAccessFromStore(deps: { appliances: Pick<ApplianceStore, 'get'>; credentials: Pick<CredentialStore, 'getLogin' | 'getSudoPassword'>; trust: HostKeyTrust }) {
  return (applianceId: string): AccessResult => {
    const a = deps.appliances.get(applianceId);
    if (!a) return { ok: false, failure: { code: 'protocol-error', message: `appliance ${applianceId} no longer exists` } };
    try {
      return {
        ok: true,
        access: {
          applianceId,
          name: a.name,
          target: { address: a.address, port: a.port, user: a.user },
          credential: deps.credentials.getLogin(applianceId),
          sudoPassword: a.user === 'root' ? null : deps.credentials.getSudoPassword(applianceId),
          trustedKeys: deps.trust.accepted(a.address, a.port),
          hostKeyChange: deps.trust.changed(a.address, a.port),
        },
      };
    } catch (err) {
      if (err instanceof SecretUnreadableError) return { ok: false, failure: { code: 'credential-unreadable', message: err.message } };
      throw err;
    }
  };
}
