import type { Db } from './database';

/** An appliance row as the store holds it (credential values live in credential-store). */
export interface ApplianceRecord {
  id: string;
  name: string;
  address: string;
  port: number;
  user: string;
  role: 'server' | 'smartbox';
  tags: string[];
  notes: string;
  createdAt: string;
  updatedAt: string;
  credentialKind: 'password' | 'private-key' | null;
  hasPassphrase: boolean;
  hasSudoPassword: boolean;
}

interface Row {
  id: string;
  name: string;
  address: string;
  port: number;
  user: string;
  role: 'server' | 'smartbox';
  tags: string;
  notes: string;
  created_at: string;
  updated_at: string;
  kind: 'password' | 'private-key' | null;
  has_passphrase: number | null;
  has_sudo: number | null;
}

const SELECT = `
  SELECT a.*, c.kind, c.has_passphrase, (c.sudo_secret IS NOT NULL) AS has_sudo
  FROM appliances a LEFT JOIN credentials c ON c.appliance_id = a.id`;

function fromRow(r: Row): ApplianceRecord {
  return {
    id: r.id,
    name: r.name,
    address: r.address,
    port: r.port,
    user: r.user,
    role: r.role,
    tags: JSON.parse(r.tags) as string[],
    notes: r.notes,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    credentialKind: r.kind ?? null,
    hasPassphrase: r.has_passphrase === 1,
    hasSudoPassword: r.has_sudo === 1,
  };
}

export type ApplianceFields = Pick<ApplianceRecord, 'name' | 'address' | 'port' | 'user' | 'role' | 'tags' | 'notes'>;

export function createApplianceStore(db: Db) {
  const stmts = {
    all: db.prepare<[], Row>(`${SELECT} ORDER BY a.name COLLATE NOCASE`),
    byId: db.prepare<[string], Row>(`${SELECT} WHERE a.id = ?`),
    byName: db.prepare<[string], Row>(`${SELECT} WHERE a.name = ? COLLATE NOCASE`),
    byEndpoint: db.prepare<[string, number], Row>(`${SELECT} WHERE a.address = ? COLLATE NOCASE AND a.port = ?`),
    insert: db.prepare(
      `INSERT INTO appliances (id, name, address, port, user, role, tags, notes, created_at, updated_at)
       VALUES (@id, @name, @address, @port, @user, @role, @tags, @notes, @createdAt, @updatedAt)`,
    ),
    update: db.prepare(
      `UPDATE appliances SET name = @name, address = @address, port = @port, user = @user, role = @role,
         tags = @tags, notes = @notes, updated_at = @updatedAt WHERE id = @id`,
    ),
    remove: db.prepare<[string]>(`DELETE FROM appliances WHERE id = ?`),
    count: db.prepare<[], { n: number }>(`SELECT count(*) AS n FROM appliances`),
  };

  return {
    list(): ApplianceRecord[] {
      return stmts.all.all().map(fromRow);
    },
    get(id: string): ApplianceRecord | undefined {
      const r = stmts.byId.get(id);
      return r ? fromRow(r) : undefined;
    },
    findByName(name: string): ApplianceRecord | undefined {
      const r = stmts.byName.get(name);
      return r ? fromRow(r) : undefined;
    },
    findByEndpoint(address: string, port: number): ApplianceRecord | undefined {
      const r = stmts.byEndpoint.get(address, port);
      return r ? fromRow(r) : undefined;
    },
    insert(id: string, fields: ApplianceFields, at: string): void {
      stmts.insert.run({ id, ...fields, tags: JSON.stringify(fields.tags), createdAt: at, updatedAt: at });
    },
    update(id: string, fields: ApplianceFields, at: string): void {
      stmts.update.run({ id, ...fields, tags: JSON.stringify(fields.tags), updatedAt: at });
    },
    remove(id: string): boolean {
      return stmts.remove.run(id).changes > 0;
    },
    count(): number {
      return stmts.count.get()?.n ?? 0;
    },
  };
}
export type ApplianceStore = ReturnType<typeof createApplianceStore>;
