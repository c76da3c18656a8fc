import type { Db } from './database';

export interface KnownHostKey {
  address: string;
  port: number;
  keyType: string;
  /** `SHA256:<base64 without padding>`, as `ssh-keygen -l` prints it. */
  fingerprint: string;
  publicKey: Buffer;
  acceptedAt: string;
  acceptedBy: string;
}

interface Row {
  address: string;
  port: number;
  key_type: string;
  fingerprint: string;
  public_key: Buffer;
  accepted_at: string;
  accepted_by: string;
}

/** Host keys a person has accepted (trust on first use). Replacing one is a separate, audited call. */
export function createHostKeyStore(db: Db) {
  const forEndpoint = db.prepare<[string, number], Row>(`SELECT * FROM known_host_keys WHERE address = ? AND port = ?`);
  const upsert = db.prepare(
    `INSERT INTO known_host_keys (address, port, key_type, fingerprint, public_key, accepted_at, accepted_by)
     VALUES (@address, @port, @keyType, @fingerprint, @publicKey, @acceptedAt, @acceptedBy)
     ON CONFLICT (address, port, key_type) DO UPDATE SET fingerprint = excluded.fingerprint,
       public_key = excluded.public_key, accepted_at = excluded.accepted_at, accepted_by = excluded.accepted_by`,
  );
  const removeEndpoint = db.prepare<[string, number]>(`DELETE FROM known_host_keys WHERE address = ? AND port = ?`);
  return {
    forEndpoint(address: string, port: number): KnownHostKey[] {
      return forEndpoint.all(address, port).map((r) => ({
        address: r.address,
        port: r.port,
        keyType: r.key_type,
        fingerprint: r.fingerprint,
        publicKey: r.public_key,
        acceptedAt: r.accepted_at,
        acceptedBy: r.accepted_by,
      }));
    },
    accept(key: KnownHostKey): void {
      upsert.run(key);
    },
    /** Forget every key of the endpoint and accept this one, atomically: never zero keys, never two. */
    replace(key: KnownHostKey): void {
      db.transaction(() => {
        removeEndpoint.run(key.address, key.port);
        upsert.run(key);
      })();
    },
    forget(address: string, port: number): void {
      removeEndpoint.run(address, port);
    },
  };
}
export type HostKeyStore = ReturnType<typeof createHostKeyStore>;
