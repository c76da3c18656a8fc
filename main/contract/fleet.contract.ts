import { z } from 'zod';
import { defineMethod } from './define';
import { entityId, isoTime, networkAddress, tcpPort, unixUser } from './common.schemas';
import { applianceName, multiLineText, singleLineText } from './text.schemas';
import { APPLIANCE_ROLES } from './appliance-roles';

export { APPLIANCE_ROLES } from './appliance-roles';
export const applianceRole = z.enum(APPLIANCE_ROLES);

const MAX_KEY_BYTES = 16 * 1024;

/** How the console logs in. Secrets go straight to the encrypted credential store and never come back. */
export const authInput = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('password'),
    password: z.string().min(1).max(1024),
  }),
  z.strictObject({
    kind: z.literal('private-key'),
    privateKey: z
      .string()
      .min(1)
      .max(MAX_KEY_BYTES)
      .refine((s) => /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/.test(s), {
        message: 'Paste a private key in OpenSSH or PEM format (it starts with -----BEGIN … PRIVATE KEY-----)',
        params: { code: 'invalid-private-key' },
      }),
    passphrase: z.string().max(1024).optional(),
  }),
]);

const tag = singleLineText({ min: 1, max: 32 }).refine((s) => /^[^\s,]+$/u.test(s), { message: 'A tag is one word without spaces or commas', params: { code: 'invalid-tag' } });

const applianceFields = {
  name: applianceName,
  address: networkAddress,
  port: tcpPort,
  user: unixUser,
  role: applianceRole,
  tags: z.array(tag).max(16),
  notes: multiLineText({ max: 2000 }),
};

export const applianceInput = z.strictObject({
  ...applianceFields,
  port: tcpPort.default(22),
  user: unixUser.default('root'),
  role: applianceRole.default('server'),
  tags: applianceFields.tags.default([]),
  notes: applianceFields.notes.default(''),
  auth: authInput.optional(),
  sudoPassword: z.string().min(1).max(1024).optional(),
});
export type ApplianceInput = z.input<typeof applianceInput>;

export const appliancePatch = z.strictObject({
  name: applianceFields.name.optional(),
  address: applianceFields.address.optional(),
  port: applianceFields.port.optional(),
  user: applianceFields.user.optional(),
  role: applianceFields.role.optional(),
  tags: applianceFields.tags.optional(),
  notes: applianceFields.notes.optional(),
  /** A new credential replaces the old one; `null` removes it; absent keeps it. */
  auth: authInput.nullable().optional(),
  sudoPassword: z.string().min(1).max(1024).nullable().optional(),
});
export type AppliancePatch = z.input<typeof appliancePatch>;

/** What the console knows about a stored credential: its kind, never its value. */
export const credentialSummary = z.strictObject({
  kind: z.enum(['password', 'private-key']).nullable(),
  hasPassphrase: z.boolean(),
  hasSudoPassword: z.boolean(),
});

export const appliance = z.strictObject({
  id: entityId,
  name: z.string(),
  address: z.string(),
  port: z.number().int(),
  user: z.string(),
  role: applianceRole,
  tags: z.array(z.string()),
  notes: z.string(),
  credential: credentialSummary,
  createdAt: isoTime,
  updatedAt: isoTime,
});
export type Appliance = z.infer<typeof appliance>;

export const fleetListFilter = z.strictObject({
  text: singleLineText({ max: 200 }).optional(),
  role: applianceRole.optional(),
  tag: singleLineText({ max: 32 }).optional(),
});

/** At most this many appliances in one import: a large site, and still one quick transaction. */
export const MAX_IMPORT = 1000;

export const fleetMethods = {
  'fleet.list': defineMethod({
    summary: 'List appliances, optionally filtered by text, role or tag',
    mutating: false,
    input: z.strictObject({ filter: fleetListFilter.optional() }),
    output: z.strictObject({ appliances: z.array(appliance) }),
  }),
  'fleet.get': defineMethod({
    summary: 'Show one appliance',
    mutating: false,
    input: z.strictObject({ id: entityId }),
    output: appliance,
  }),
  'fleet.add': defineMethod({
    summary: 'Add an appliance',
    mutating: true,
    events: ['fleet.changed'],
    input: applianceInput,
    output: appliance,
  }),
  'fleet.update': defineMethod({
    summary: 'Change an appliance',
    mutating: true,
    events: ['fleet.changed'],
    input: z.strictObject({ id: entityId, patch: appliancePatch }),
    output: appliance,
  }),
  'fleet.import': defineMethod({
    summary: 'Add many appliances at once (all or none), optionally with one login for all',
    mutating: true,
    events: ['fleet.changed'],
    input: z.strictObject({
      appliances: z.array(applianceInput.omit({ auth: true, sudoPassword: true })).min(1).max(MAX_IMPORT),
      auth: authInput.optional(),
      sudoPassword: z.string().min(1).max(1024).optional(),
    }),
    output: z.strictObject({ added: z.array(appliance) }),
  }),
  'fleet.remove': defineMethod({
    summary: 'Remove an appliance and its stored credentials',
    mutating: true,
    events: ['fleet.changed'],
    input: z.strictObject({ id: entityId }),
    output: z.strictObject({ id: entityId }),
  }),
};

export const fleetEvents = {
  'fleet.changed': z.strictObject({ change: z.enum(['added', 'updated', 'removed']), id: entityId }),
};
