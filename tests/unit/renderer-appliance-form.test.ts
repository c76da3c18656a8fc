import { describe, expect, it } from 'vitest';
import type { Appliance } from '../../main/contract/fleet.contract';
import {
  checkApplianceInput,
  checkAppliancePatch,
  fieldForIssuePath,
  initialFormValues,
  placeIssues,
  toAppliancePatch,
  type ApplianceFormValues,
} from '../../renderer/src/pages/fleet/appliance-form-model';
import { collectTags, EMPTY_FLEET_FILTER, filterAppliances } from '../../renderer/src/pages/fleet/fleet-filter';

const KEY = '-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n';

function stored(overrides: Partial<Appliance> = {}): Appliance {
  return {
    id: 'a1',
    name: 'rack-1',
    address: '10.0.0.1',
    port: 22,
    user: 'root',
    role: 'server',
    tags: ['beijing'],
    notes: '',
    credential: { kind: 'password', hasPassphrase: false, hasSudoPassword: true },
    createdAt: '2025-01-01T00:00:00.000Z',
    updatedAt: '2025-01-01T00:00:00.000Z',
    ...overrides,
  };
}

const addValues = (overrides: Partial<ApplianceFormValues>): ApplianceFormValues => ({ ...initialFormValues(), ...overrides });

describe('add form → applianceInput', () => {
  it('builds a valid input with a private key and passphrase', () => {
    const { value, issues } = checkApplianceInput(addValues({ name: 'box', address: 'box.local', authChoice: 'private-key', privateKey: KEY, passphrase: 'pp' }));
    expect(issues).toEqual([]);
    expect(value.auth).toEqual({ kind: 'private-key', privateKey: KEY, passphrase: 'pp' });
    expect(value.sudoPassword).toBeUndefined();
  });

  it('sends no login when "nothing yet" is chosen, even if a password was typed earlier', () => {
    const { value } = checkApplianceInput(addValues({ name: 'box', address: 'box.local', authChoice: 'none', password: 'left-over' }));
    expect(value.auth).toBeUndefined();
  });

  it('reports issues with the contract codes, mapped to the form fields', () => {
    const values = addValues({ name: ' ', address: 'not an address', user: 'Root', authChoice: 'private-key', privateKey: 'nope', tags: ['ok', 'bad tag'] });
    const { issues } = checkApplianceInput(values);
    const byField = placeIssues(issues, values).byField;
    expect(byField.get('name')?.[0]?.code).toBe('too-small');
    expect(byField.get('address')?.[0]?.code).toBe('invalid-address');
    expect(byField.get('user')?.[0]?.code).toBe('invalid-user');
    expect(byField.get('privateKey')?.[0]?.code).toBe('invalid-private-key');
    expect(byField.get('tags')?.[0]?.code).toBe('invalid-tag');
  });

  it('reports an out-of-range port instead of clamping it', () => {
    const { issues } = checkApplianceInput(addValues({ name: 'box', address: 'box.local', port: 70000 }));
    expect(issues.map((i) => [fieldForIssuePath(i.path), i.code, i.params?.limit])).toEqual([['port', 'too-big', 65535]]);
  });

  it('puts issues for hidden or unknown fields in the form-level list', () => {
    const values = addValues({ authChoice: 'none' });
    const { unplaced } = placeIssues([{ path: 'auth.password', code: 'required', message: '' }, { path: '', code: 'unrecognized-keys', message: '' }], values);
    expect(unplaced.map((i) => i.path)).toEqual(['auth.password', '']);
  });
});

describe('edit form → appliancePatch', () => {
  it('sends only what changed', () => {
    const original = stored();
    const values = { ...initialFormValues(original), notes: 'moved to rack 4', tags: ['beijing', 'rack-4'] };
    expect(toAppliancePatch(values, original)).toEqual({ notes: 'moved to rack 4', tags: ['beijing', 'rack-4'] });
  });

  it('keeps stored secrets unless asked, removes them with null', () => {
    const original = stored();
    expect(toAppliancePatch(initialFormValues(original), original)).toEqual({});
    expect(toAppliancePatch({ ...initialFormValues(original), authChoice: 'none', sudoChoice: 'remove' }, original)).toEqual({ auth: null, sudoPassword: null });
  });

  it('requires a new sudo password when replacing one', () => {
    const original = stored();
    const { issues } = checkAppliancePatch({ ...initialFormValues(original), sudoChoice: 'set', sudoPassword: '' }, original);
    expect(issues.map((i) => [fieldForIssuePath(i.path), i.code])).toEqual([['sudoPassword', 'too-small']]);
  });

  it('maps server paths of fleet.update (patch.*) to fields', () => {
    expect(fieldForIssuePath('patch.name')).toBe('name');
    expect(fieldForIssuePath('patch.auth.privateKey')).toBe('privateKey');
    expect(fieldForIssuePath('tags.3')).toBe('tags');
    expect(fieldForIssuePath('id')).toBeNull();
  });
});

describe('fleet filter', () => {
  const fleet = [
    stored({ id: 'a', name: 'rack-1', tags: ['Beijing'] }),
    stored({ id: 'b', name: 'box-7', role: 'smartbox', address: '10.0.0.7', tags: ['crew'], notes: 'Olympics crew' }),
  ];

  it('matches text anywhere, role exactly and tags case-insensitively, like fleet.list', () => {
    expect(filterAppliances(fleet, { ...EMPTY_FLEET_FILTER, text: 'olympics' }).map((a) => a.id)).toEqual(['b']);
    expect(filterAppliances(fleet, { ...EMPTY_FLEET_FILTER, role: 'server' }).map((a) => a.id)).toEqual(['a']);
    expect(filterAppliances(fleet, { ...EMPTY_FLEET_FILTER, tag: 'beijing' }).map((a) => a.id)).toEqual(['a']);
    expect(filterAppliances(fleet, EMPTY_FLEET_FILTER)).toBe(fleet);
  });

  it('collects each tag once, sorted', () => {
    expect(collectTags(fleet)).toEqual(['Beijing', 'crew']);
  });
});
