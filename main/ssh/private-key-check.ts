import { utils } from 'ssh2';
import type { ApiIssue } from '../contract/errors';

/**
 * Reads a private key the way the SSH layer will, when it is saved: ssh2 silently skips a key it
 * cannot parse, so a bad paste or a wrong passphrase would otherwise surface later as "the server
 * refused the login". Returns the field issue to show, or null when the key is usable.
 */
export function checkPrivateKey(privateKey: string, passphrase: string | undefined, pathPrefix: string): ApiIssue | null {
  const parsed = utils.parseKey(privateKey, passphrase);
  if (!(parsed instanceof Error)) return null;
  const reason = parsed.message;
  if (/no passphrase given/i.test(reason)) {
    return { path: `${pathPrefix}.passphrase`, code: 'passphrase-required', message: 'This key is encrypted: enter its passphrase' };
  }
  if (/bad passphrase|integrity check failed/i.test(reason)) {
    return { path: `${pathPrefix}.passphrase`, code: 'wrong-passphrase', message: 'The passphrase does not open this key' };
  }
  return { path: `${pathPrefix}.privateKey`, code: 'unreadable-private-key', message: `The key cannot be read (${reason})`, params: { reason } };
}
