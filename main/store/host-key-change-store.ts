import type { Db } from './database';

/** A host key other than the accepted one, seen by a connection of this console (migration 009). */
export interface HostKeyChange {
  address: string;
  port: number;
  keyType: string;
  /** What the machine presents now. */
  presentedFingerprint: string;
  /** What a person had accepted. */
  knownFingerprint: string;
  seenAt: string;
}

interface Row {
  address: string;
  port: number;
  key_type: string;
  presented_fingerprint: string;
  known_fingerprint: string;
  seen_at: string;
}

const fromRow = (r: Row): HostKeyChange => ({
  address: r.address,
  port: r.port,
  keyType: r.key_type,
  presentedFingerprint: r.presented_fingerprint,
  knownFingerprint: r.known_fingerprint,
  seenAt: r.seen_at,
});

/** Endpoints whose host key changed; main/reach/host-key-trust.ts is its only user. */
export function createHostKeyChangeStore(db: Db) {
  const all = db.prepare<[], Row>('SELECT * FROM host_key_changes');
  const upsert = db.prepare(
    `INSERT INTO host_key_changes (address, port, key_type, presented_fingerprint, known_fingerprint, seen_at)
     VALUES (@address, @port, @keyType, @presentedFingerprint, @knownFingerprint, @seenAt)
     ON CONFLICT (address, port) DO UPDATE SET key_type = excluded.key_type,
       presented_fingerprint = excluded.presented_fingerprint, known_fingerprint = excluded.known_fingerprint, seen_at = excluded.seen_at`,
  );
  const remove = db.prepare<[string, number]>('DELETE FROM host_key_changes WHERE address = ? AND port = ?');
  return {
    all: (): HostKeyChange[] => all.all().map(fromRow),
    record(change: HostKeyChange): void {
      upsert.run(change);
    },
    clear(address: string, port: number): void {
      remove.run(address, port);
    },
  };
}
export type HostKeyChangeStore = ReturnType<typeof createHostKeyChangeStore>;
