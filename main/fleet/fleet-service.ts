import crypto from 'node:crypto';
import type { Appliance, ApplianceInput, AppliancePatch } from '../contract/fleet.contract';
import { ApiError, type ApiIssue } from '../contract/errors';
import { formatEndpoint, parseAddress } from '../contract/network-address';
import { applianceMatches } from '../contract/fleet-filter';
import { requireAppliance } from './require-appliance';
import type { Clock } from '../core/clock';
import type { EventBus } from '../core/event-bus';
import type { Db } from '../store/database';
import type { ApplianceFields, ApplianceRecord, ApplianceStore } from '../store/appliance-store';
import type { Credential, CredentialStore } from '../store/credential-store';
import { checkPrivateKey } from '../ssh/private-key-check';
import type { z } from 'zod';
import type { applianceInput, appliancePatch, fleetListFilter, fleetMethods } from '../contract/fleet.contract';

export interface FleetDeps {
  db: Db;
  appliances: ApplianceStore;
  credentials: CredentialStore;
  clock: Clock;
  events: EventBus;
  newId?: () => string;
}

type ParsedInput = z.output<typeof applianceInput>;
type ParsedPatch = z.output<typeof appliancePatch>;
type Filter = z.output<typeof fleetListFilter>;
type ParsedImport = z.output<(typeof fleetMethods)['fleet.import']['input']>;

export function toAppliance(r: ApplianceRecord): Appliance {
  return {
    id: r.id,
    name: r.name,
    address: r.address,
    port: r.port,
    user: r.user,
    role: r.role,
    tags: r.tags,
    notes: r.notes,
    credential: { kind: r.credentialKind, hasPassphrase: r.hasPassphrase, hasSudoPassword: r.hasSudoPassword },
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}

/** The stored form of an address (main/contract/network-address.ts); the contract has already refused a bad one. */
function normaliseAddress(address: string): string {
  const parsed = parseAddress(address);
  if (!parsed.ok) throw new ApiError('invalid-input', parsed.message, { issues: [{ path: 'address', code: 'invalid-address', message: parsed.message }] });
  return parsed.address;
}

/** The fields as stored: canonical address, each tag once. Idempotent, so stored values pass through unchanged. */
function storedFields(f: ApplianceFields): ApplianceFields {
  return { name: f.name, address: normaliseAddress(f.address), port: f.port, user: f.user, role: f.role, tags: [...new Set(f.tags)], notes: f.notes };
}

/**
 * The fleet register: which machines the console manages and how to log in to them. Names and
 * endpoints are unique; a clash is a `conflict` naming the appliance already there.
 */
export function createFleetService(deps: FleetDeps) {
  const newId = deps.newId ?? (() => crypto.randomUUID());

  const mustGet = (id: string): ApplianceRecord => requireAppliance(deps.appliances, id);

  function assertUnique(fields: ApplianceFields, selfId?: string): void {
    const byName = deps.appliances.findByName(fields.name);
    if (byName && byName.id !== selfId) {
      throw new ApiError('conflict', `An appliance named "${fields.name}" already exists`, {
        params: { name: fields.name },
        issues: [{ path: 'name', code: 'duplicate-name', message: 'This name is already used', params: { name: fields.name } }],
      });
    }
    const byEndpoint = deps.appliances.findByEndpoint(fields.address, fields.port);
    if (byEndpoint && byEndpoint.id !== selfId) {
      throw new ApiError('conflict', `${formatEndpoint(fields.address, fields.port)} is already registered as "${byEndpoint.name}"`, {
        params: { endpoint: formatEndpoint(fields.address, fields.port), name: byEndpoint.name },
        issues: [{ path: 'address', code: 'duplicate-endpoint', message: `Already registered as "${byEndpoint.name}"`, params: { name: byEndpoint.name } }],
      });
    }
  }

  function assertUsableKey(auth: Credential | null | undefined, pathPrefix: string): void {
    if (auth?.kind !== 'private-key') return;
    const issue = checkPrivateKey(auth.privateKey, auth.passphrase, pathPrefix);
    if (issue) throw new ApiError('invalid-input', issue.message, { issues: [issue] });
  }

  function saveCredentials(id: string, auth: Credential | null | undefined, sudo: string | null | undefined, at: string): void {
    if (auth !== undefined) deps.credentials.setLogin(id, auth, at);
    if (sudo !== undefined) deps.credentials.setSudoPassword(id, sudo, at);
  }

  return {
    list(filter?: Filter): Appliance[] {
      return deps.appliances.list().filter((a) => applianceMatches(a, filter)).map(toAppliance);
    },

    get(id: string): Appliance {
      return toAppliance(mustGet(id));
    },

    add(input: ParsedInput): Appliance {
      assertUsableKey(input.auth, 'auth');
      const fields = storedFields(input);
      const id = newId();
      const at = deps.clock.now().toISOString();
      // One transaction: an appliance never exists without the credentials it was added with.
      deps.db.transaction(() => {
        assertUnique(fields);
        deps.appliances.insert(id, fields, at);
        saveCredentials(id, input.auth, input.sudoPassword, at);
      })();
      deps.events.emit('fleet.changed', { change: 'added', id });
      return toAppliance(mustGet(id));
    },

    /**
     * All or none: every row is checked (names and endpoints unique among themselves and against
     * the register) before anything is written, and one transaction writes them, so a bad line
     * never leaves half a site imported. Issues name the row (`appliances.<i>.<field>`).
     */
    importMany(input: ParsedImport): Appliance[] {
      assertUsableKey(input.auth, 'auth');
      const at = deps.clock.now().toISOString();
      const ids: string[] = [];
      deps.db.transaction(() => {
        const issues: ApiIssue[] = [];
        const names = new Map<string, number>();
        const endpoints = new Map<string, number>();
        const rows = input.appliances.map((row, i) => {
          const fields = storedFields(row);
          const nameKey = fields.name.toLowerCase();
          const endpointKey = `${fields.address.toLowerCase()}:${fields.port}`;
          const sameName = names.get(nameKey);
          const sameEndpoint = endpoints.get(endpointKey);
          if (sameName !== undefined) issues.push({ path: `appliances.${i}.name`, code: 'duplicate-name', message: `"${fields.name}" appears more than once in this import`, params: { name: fields.name } });
          if (sameEndpoint !== undefined) {
            const other = input.appliances[sameEndpoint]!.name;
            issues.push({ path: `appliances.${i}.address`, code: 'duplicate-endpoint', message: `Same address and port as "${other}" in this import`, params: { name: other } });
          }
          names.set(nameKey, i);
          endpoints.set(endpointKey, i);
          try {
            assertUnique(fields);
          } catch (err) {
            if (!(err instanceof ApiError)) throw err;
            for (const issue of err.issues ?? []) issues.push({ ...issue, path: `appliances.${i}.${issue.path}` });
          }
          return fields;
        });
        if (issues.length) throw new ApiError('conflict', `${issues.length} row(s) clash with each other or with appliances already registered; nothing was imported`, { issues });
        for (const fields of rows) {
          const id = newId();
          deps.appliances.insert(id, fields, at);
          saveCredentials(id, input.auth, input.sudoPassword, at);
          ids.push(id);
        }
      })();
      for (const id of ids) deps.events.emit('fleet.changed', { change: 'added', id });
      return ids.map((id) => toAppliance(mustGet(id)));
    },

    update(id: string, patch: ParsedPatch): Appliance {
      assertUsableKey(patch.auth, 'patch.auth');
      const at = deps.clock.now().toISOString();
      deps.db.transaction(() => {
        const cur = mustGet(id);
        const fields = storedFields({
          name: patch.name ?? cur.name,
          address: patch.address ?? cur.address,
          port: patch.port ?? cur.port,
          user: patch.user ?? cur.user,
          role: patch.role ?? cur.role,
          tags: patch.tags ?? cur.tags,
          notes: patch.notes ?? cur.notes,
        });
        assertUnique(fields, id);
        deps.appliances.update(id, fields, at);
        saveCredentials(id, patch.auth, patch.sudoPassword, at);
      })();
      deps.events.emit('fleet.changed', { change: 'updated', id });
      return toAppliance(mustGet(id));
    },

    remove(id: string): { id: string } {
      mustGet(id);
      deps.appliances.remove(id); // credentials go with it (ON DELETE CASCADE)
      deps.events.emit('fleet.changed', { change: 'removed', id });
      return { id };
    },
  };
}
export type FleetService = ReturnType<typeof createFleetService>;
export type { ApplianceInput, AppliancePatch };
