import crypto from 'node:crypto';
import type { SecretBox } from '../secrets/secret-box';
import type { Db } from './database';

/**
 * The agent control token of each appliance: made once, when the appliance is first provisioned,
 * and reused by every later run (so re-provisioning does not lock the console out of a running
 * agent). Encrypted at rest by the host's SecretBox.
 */
export function createAgentTokenStore(db: Db, box: SecretBox) {
  const get = db.prepare<[string], { token: Buffer }>('SELECT token FROM agent_tokens WHERE appliance_id = ?');
  const insert = db.prepare('INSERT OR IGNORE INTO agent_tokens (appliance_id, token, created_at) VALUES (?, ?, ?)');
  const remove = db.prepare('DELETE FROM agent_tokens WHERE appliance_id = ?');
  const markInstalled = db.prepare('UPDATE agent_tokens SET installed_at = ? WHERE appliance_id = ? AND installed_at IS NULL');
  const installed = db.prepare<[string], { installed_at: string | null }>('SELECT installed_at FROM agent_tokens WHERE appliance_id = ?');
  return {
    getOrCreate(applianceId: string, at: string): string {
      const row = get.get(applianceId);
      if (row) return box.decrypt(row.token);
      insert.run(applianceId, box.encrypt(crypto.randomBytes(32).toString('base64url')), at);
      return box.decrypt(get.get(applianceId)!.token);
    },
    /** After an uninstall: the appliance has no agent, and the next install gets a new token. */
    forget(applianceId: string): void {
      remove.run(applianceId);
    },
    /** A run left a working agent there (migration 009); kept until an uninstall forgets the token. */
    markInstalled(applianceId: string, at: string): void {
      markInstalled.run(at, applianceId);
    },
    /** Whether this console installed an agent there: a token alone may be from a first run that failed. */
    isInstalled(applianceId: string): boolean {
      return (installed.get(applianceId)?.installed_at ?? null) !== null;
    },
    get(applianceId: string): string | null {
      const row = get.get(applianceId);
      return row ? box.decrypt(row.token) : null;
    },
  };
}
export type AgentTokenStore = ReturnType<typeof createAgentTokenStore>;
