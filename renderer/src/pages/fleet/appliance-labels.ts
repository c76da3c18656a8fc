import type { Appliance } from '../../../../main/contract/fleet.contract';
import type { PlainMessageKey, Translate } from '../../i18n/translate';
import type { ApplianceRole } from './fleet-filter';

export const ROLE_LABELS: Record<ApplianceRole, PlainMessageKey> = {
  server: 'role.server',
  smartbox: 'role.smartbox',
};

/** Short role names for the Fleet table's narrow column (the full name on hover). */
export const ROLE_SHORT_LABELS: Record<ApplianceRole, PlainMessageKey> = {
  server: 'role.server.short',
  smartbox: 'role.smartbox.short',
};

/** Short names of the stored login kind, for the table (the full text is its tooltip). */
export const LOGIN_KIND_LABELS: Record<NonNullable<Appliance['credential']['kind']> | 'none', PlainMessageKey> = {
  password: 'login.kind.password',
  'private-key': 'login.kind.private-key',
  none: 'login.kind.none',
};

/** "Password stored", "Private key stored (with passphrase)", "No login stored". Never a value. */
export function storedLoginText(t: Translate, credential: Appliance['credential']): string {
  if (credential.kind === 'password') return t('login.storedPassword');
  if (credential.kind === 'private-key') return credential.hasPassphrase ? t('login.storedKeyWithPassphrase') : t('login.storedKey');
  return t('login.storedNone');
}
