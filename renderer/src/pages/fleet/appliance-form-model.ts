import type { z } from 'zod';
import type { ApiIssue } from '../../../../main/contract/errors';
import {
  applianceInput,
  appliancePatch,
  type Appliance,
  type ApplianceInput,
  type AppliancePatch,
  type authInput,
} from '../../../../main/contract/fleet.contract';
import { toApiIssues } from '../../../../main/contract/validate';

/**
 * The add/edit form's values and their translation to the contract's `applianceInput` and
 * `appliancePatch`. Validation runs those very schemas (and the hosts' own issue mapping,
 * `toApiIssues`), so the form and the server always agree on what is valid. No React or antd
 * here: this is unit-tested on its own.
 */

/** `keep`: leave the stored login alone (edit only); `none`: no login (add) or remove it (edit). */
export type AuthChoice = 'keep' | 'none' | 'password' | 'private-key';
/** `set`: use the password box (optional on add); `keep`/`remove` exist only when one is stored. */
export type SudoChoice = 'keep' | 'set' | 'remove';

export interface ApplianceFormValues {
  name: string;
  address: string;
  /** null when the box is empty: the schema's default (22) on add, unchanged on edit. */
  port: number | null;
  user: string;
  role: Appliance['role'];
  tags: string[];
  notes: string;
  authChoice: AuthChoice;
  password: string;
  privateKey: string;
  passphrase: string;
  sudoChoice: SudoChoice;
  sudoPassword: string;
}

export type ApplianceFormField = keyof ApplianceFormValues;

export function initialFormValues(appliance?: Appliance): ApplianceFormValues {
  const secrets = { password: '', privateKey: '', passphrase: '', sudoPassword: '' };
  if (!appliance) {
    return { name: '', address: '', port: 22, user: 'root', role: 'server', tags: [], notes: '', authChoice: 'none', sudoChoice: 'set', ...secrets };
  }
  return {
    name: appliance.name,
    address: appliance.address,
    port: appliance.port,
    user: appliance.user,
    role: appliance.role,
    tags: [...appliance.tags],
    notes: appliance.notes,
    authChoice: appliance.credential.kind ? 'keep' : 'none',
    sudoChoice: appliance.credential.hasSudoPassword ? 'keep' : 'set',
    ...secrets,
  };
}

type AuthInput = z.input<typeof authInput>;

function newLogin(values: ApplianceFormValues): AuthInput | undefined {
  if (values.authChoice === 'password') return { kind: 'password', password: values.password };
  if (values.authChoice === 'private-key') {
    return values.passphrase !== ''
      ? { kind: 'private-key', privateKey: values.privateKey, passphrase: values.passphrase }
      : { kind: 'private-key', privateKey: values.privateKey };
  }
  return undefined;
}

export function toApplianceInput(values: ApplianceFormValues): ApplianceInput {
  const input: ApplianceInput = { name: values.name, address: values.address, user: values.user, role: values.role, tags: values.tags, notes: values.notes };
  if (values.port !== null) input.port = values.port;
  const auth = newLogin(values);
  if (auth) input.auth = auth;
  if (values.sudoPassword !== '') input.sudoPassword = values.sudoPassword;
  return input;
}

const sameTags = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((t, i) => t === b[i]);

/** Only what changed, so the audit log records the real edit. Strings compare as the schema trims. */
export function toAppliancePatch(values: ApplianceFormValues, original: Appliance): AppliancePatch {
  const patch: AppliancePatch = {};
  if (values.name.trim() !== original.name) patch.name = values.name;
  if (values.address.trim() !== original.address) patch.address = values.address;
  if (values.port !== null && values.port !== original.port) patch.port = values.port;
  if (values.user.trim() !== original.user) patch.user = values.user;
  if (values.role !== original.role) patch.role = values.role;
  if (!sameTags(values.tags, original.tags)) patch.tags = values.tags;
  if (values.notes !== original.notes) patch.notes = values.notes;

  if (values.authChoice === 'none' && original.credential.kind !== null) patch.auth = null;
  const auth = newLogin(values);
  if (auth) patch.auth = auth;

  if (values.sudoChoice === 'remove') patch.sudoPassword = null;
  // An empty box means "no sudo password" when none is stored; when replacing one it is an error
  // the schema reports (`required`), which is what the user needs to hear.
  if (values.sudoChoice === 'set' && (values.sudoPassword !== '' || original.credential.hasSudoPassword)) patch.sudoPassword = values.sudoPassword;
  return patch;
}

export interface Checked<T> {
  value: T;
  issues: ApiIssue[];
}

export function checkApplianceInput(values: ApplianceFormValues): Checked<ApplianceInput> {
  const value = toApplianceInput(values);
  const parsed = applianceInput.safeParse(value, { reportInput: true });
  return { value, issues: parsed.success ? [] : toApiIssues(parsed.error) };
}

export function checkAppliancePatch(values: ApplianceFormValues, original: Appliance): Checked<AppliancePatch> {
  const value = toAppliancePatch(values, original);
  const parsed = appliancePatch.safeParse(value, { reportInput: true });
  return { value, issues: parsed.success ? [] : toApiIssues(parsed.error) };
}

/**
 * Which form field an issue path belongs to. Server paths for `fleet.update` are prefixed with
 * `patch.`; list items (`tags.3`) belong to their list; login parts to their own boxes.
 */
export function fieldForIssuePath(path: string): ApplianceFormField | null {
  const parts = path.split('.');
  if (parts[0] === 'patch') parts.shift();
  const [head, sub] = parts;
  switch (head) {
    case 'name':
    case 'address':
    case 'port':
    case 'user':
    case 'role':
    case 'tags':
    case 'notes':
    case 'sudoPassword':
      return head;
    case 'auth':
      return sub === 'password' || sub === 'privateKey' || sub === 'passphrase' ? sub : 'authChoice';
    default:
      return null;
  }
}

/** Whether a field's box is on screen for these values (an error on a hidden box would be lost). */
export function isFieldShown(field: ApplianceFormField, values: ApplianceFormValues): boolean {
  switch (field) {
    case 'password':
      return values.authChoice === 'password';
    case 'privateKey':
    case 'passphrase':
      return values.authChoice === 'private-key';
    case 'sudoPassword':
      return values.sudoChoice === 'set';
    default:
      return true;
  }
}

export interface PlacedIssues {
  byField: Map<ApplianceFormField, ApiIssue[]>;
  /** Issues no visible field can show: the dialog shows them in its form-level alert. */
  unplaced: ApiIssue[];
}

export function placeIssues(issues: readonly ApiIssue[], values: ApplianceFormValues): PlacedIssues {
  const byField = new Map<ApplianceFormField, ApiIssue[]>();
  const unplaced: ApiIssue[] = [];
  for (const issue of issues) {
    const field = fieldForIssuePath(issue.path);
    if (field === null || !isFieldShown(field, values)) {
      unplaced.push(issue);
      continue;
    }
    const list = byField.get(field) ?? [];
    list.push(issue);
    byField.set(field, list);
  }
  return { byField, unplaced };
}

export function isEmptyPatch(patch: AppliancePatch): boolean {
  return Object.keys(patch).length === 0;
}
