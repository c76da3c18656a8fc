import fs from 'node:fs';

/**
 * Users and groups from /etc/passwd and /etc/group. Read directly (no `id`, no NSS module): a
 * service user is a local system account created by the provisioner, and an appliance may not have
 * the tools. LDAP/NIS accounts are deliberately not supported for services.
 */
export interface UnixUser {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

export interface UserDb {
  user(name: string): UnixUser | null;
  groupId(name: string): number | null;
}

export function createUserDb(etcDir = '/etc'): UserDb {
  const rows = (file: string): string[][] => {
    try {
      return fs
        .readFileSync(`${etcDir}/${file}`, 'utf8')
        .split('\n')
        .filter((l) => l && !l.startsWith('#'))
        .map((l) => l.split(':'));
    } catch {
      return [];
    }
  };
  return {
    user(name) {
      const row = rows('passwd').find((r) => r[0] === name);
      if (!row) return null;
      const uid = Number(row[2]);
      const gid = Number(row[3]);
      if (!Number.isInteger(uid) || !Number.isInteger(gid)) return null;
      return { name, uid, gid, home: row[5] || '/' };
    },
    groupId(name) {
      const row = rows('group').find((r) => r[0] === name);
      const gid = Number(row?.[2]);
      return row && Number.isInteger(gid) ? gid : null;
    },
  };
}
