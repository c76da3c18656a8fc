import type { SecretBox } from '../secrets/secret-box';
import type { Db } from './database';

export type Credential = { kind: 'password'; password: string } | { kind: 'private-key'; privateKey: string; passphrase?: string };

interface Row {
  kind: 'password' | 'private-key' | null;
  secret: Buffer | null;
  sudo_secret: Buffer | null;
}

/**
 * Stores login secrets encrypted by the host's SecretBox. Reading a secret back is only for the
 * SSH layer inside main; nothing here is ever returned through the API.
 */
export function createCredentialStore(db: Db, box: SecretBox) {
  const get = db.prepare<[string], Row>(`SELECT kind, secret, sudo_secret FROM credentials WHERE appliance_id = ?`);
  const upsertLogin = db.prepare(
    `INSERT INTO credentials (appliance_id, kind, secret, has_passphrase, updated_at) VALUES (@id, @kind, @secret, @hasPassphrase, @at)
     ON CONFLICT (appliance_id) DO UPDATE SET kind = excluded.kind, secret = excluded.secret,
       has_passphrase = excluded.has_passphrase, updated_at = excluded.updated_at`,
  );
  const upsertSudo = db.prepare(
    `INSERT INTO credentials (appliance_id, sudo_secret, updated_at) VALUES (@id, @sudo, @at)
     ON CONFLICT (appliance_id) DO UPDATE SET sudo_secret = excluded.sudo_secret, updated_at = excluded.updated_at`,
  );
  const clearEmpty = db.prepare<[string]>(`DELETE FROM credentials WHERE appliance_id = ? AND secret IS NULL AND sudo_secret IS NULL`);

  return {
    setLogin(id: string, cred: Credential | null, at: string): void {
      upsertLogin.run({
        id,
        kind: cred?.kind ?? null,
        secret: cred ? box.encrypt(JSON.stringify(cred)) : null,
        hasPassphrase: cred?.kind === 'private-key' && cred.passphrase ? 1 : 0,
        at,
      });
      clearEmpty.run(id);
    },
    setSudoPassword(id: string, password: string | null, at: string): void {
      upsertSudo.run({ id, sudo: password === null ? null : box.encrypt(password), at });
      clearEmpty.run(id);
    },
    getLogin(id: string): Credential | null {
      const row = get.get(id);
      return row?.secret ? (JSON.parse(box.decrypt(row.secret)) as Credential) : null;
    },
    getSudoPassword(id: string): string | null {
      const row = get.get(id);
      return row?.sudo_secret ? box.decrypt(row.sudo_secret) : null;
    },
  };
}
export type CredentialStore = ReturnType<typeof createCredentialStore>;
