import { formatEndpoint } from '../contract/network-address';
import type { Clock } from '../core/clock';
import type { Logger } from '../core/log';
import type { SeenHostKey, TrustedKey } from '../ssh/ssh-connect';
import type { SshFailure } from '../ssh/ssh-failure';
import type { HostKeyChange, HostKeyChangeStore } from '../store/host-key-change-store';
import type { HostKeyStore, KnownHostKey } from '../store/host-key-store';

export type { HostKeyChange } from '../store/host-key-change-store';

/**
 * Which host keys this console trusts, for every connection it makes. A person accepts a key
 * (trust on first use, or a deliberate replacement); a connection that then meets another key at
 * that endpoint — whichever connection, in whichever process — records the change, and from then
 * on the endpoint is untrusted everywhere: the pool closes its connection (which may still run
 * over the old session), the watch stops dialling it and reports why, and runs are refused, until
 * a person accepts the new fingerprint. OpenSSH does the same with known_hosts and
 * StrictHostKeyChecking; here the memory is shared by the desktop, `serve` and the CLI.
 */
export interface HostKeyTrust {
  /** The keys a person accepted for the endpoint (empty: none yet). */
  accepted(address: string, port: number): TrustedKey[];
  /** The change a connection saw at the endpoint, if the new key has not been accepted. */
  changed(address: string, port: number): HostKeyChange | null;
  /** A connection saw `key`: a changed key is recorded for every connection and announced. */
  observe(address: string, port: number, key: SeenHostKey): void;
  /** A person accepted `key`: it replaces the endpoint's keys, and a recorded change is cleared. */
  accept(key: KnownHostKey): { replaced: string | null };
  /** Called with the endpoint when it becomes untrusted (here, or as another process recorded). */
  onChange(listener: (address: string, port: number) => void): () => void;
  /** Reads changes other processes recorded (the store changed elsewhere). */
  refresh(): void;
}

const keyOf = (address: string, port: number) => `${address.toLowerCase()}|${port}`;

/** What a refused connection reports for an untrusted endpoint: the same failure a fresh dial would give. */
export function hostKeyChangedFailure(change: HostKeyChange): SshFailure {
  const where = formatEndpoint(change.address, change.port);
  return {
    code: 'host-key-changed',
    message:
      `The host key of ${where} has CHANGED (now ${change.presentedFingerprint}, accepted ${change.knownFingerprint}; seen ${change.seenAt}). ` +
      `No connection is made until you compare the new fingerprint on the machine's console and accept it.`,
    params: { fingerprint: change.presentedFingerprint, known: change.knownFingerprint, keyType: change.keyType, endpoint: where },
  };
}

export function createHostKeyTrust(deps: { keys: HostKeyStore; changes: HostKeyChangeStore; clock: Clock; log: Logger }): HostKeyTrust {
  const log = deps.log.child('host-key-trust');
  const listeners = new Set<(address: string, port: number) => void>();
  let known = new Map<string, HostKeyChange>();
  const announce = (c: HostKeyChange) => {
    for (const l of listeners) {
      try {
        l(c.address, c.port);
      } catch (err) {
        log.warn('host key change listener failed', { error: err instanceof Error ? err.message : String(err) });
      }
    }
  };
  const load = () => {
    const next = new Map(deps.changes.all().map((c) => [keyOf(c.address, c.port), c]));
    const fresh = [...next.entries()].filter(([k, c]) => known.get(k)?.presentedFingerprint !== c.presentedFingerprint).map(([, c]) => c);
    known = next;
    return fresh;
  };
  load();

  return {
    accepted: (address, port) => deps.keys.forEndpoint(address, port).map((k) => ({ keyType: k.keyType, fingerprint: k.fingerprint })),
    changed: (address, port) => known.get(keyOf(address, port)) ?? null,
    observe(address, port, key) {
      if (key.status !== 'changed') return;
      const previous = known.get(keyOf(address, port));
      if (previous?.presentedFingerprint === key.fingerprint) return;
      const change: HostKeyChange = { address, port, keyType: key.keyType, presentedFingerprint: key.fingerprint, knownFingerprint: key.knownFingerprint ?? '', seenAt: deps.clock.now().toISOString() };
      deps.changes.record(change);
      known.set(keyOf(address, port), change);
      log.warn('host key changed: endpoint untrusted until a person accepts the new key', { endpoint: formatEndpoint(address, port), presented: key.fingerprint, known: key.knownFingerprint ?? null });
      announce(change);
    },
    accept(key) {
      const previous = deps.keys.forEndpoint(key.address, key.port);
      deps.keys.replace(key);
      deps.changes.clear(key.address, key.port);
      known.delete(keyOf(key.address, key.port));
      return { replaced: previous.find((k) => k.fingerprint !== key.fingerprint)?.fingerprint ?? null };
    },
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    refresh() {
      for (const change of load()) announce(change);
    },
  };
}
