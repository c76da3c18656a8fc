import { z } from 'zod';
import { parseAddress } from './network-address';

/**
 * A machine's address as typed: host name, IPv4 or IPv6 (main/contract/network-address.ts reads
 * it; the value passed on is the canonical form to store: `0:0::1` becomes `::1`).
 */
export const networkAddress = z
  .string()
  .trim()
  .min(1)
  .max(253)
  .transform((s, ctx) => {
    const parsed = parseAddress(s);
    if (parsed.ok) return parsed.address;
    ctx.addIssue({ code: 'custom', message: parsed.message, params: { code: 'invalid-address' } });
    return z.NEVER;
  });

export const tcpPort = z.number().int().min(1).max(65535);

/** POSIX portable user name, as useradd accepts it by default. */
export const unixUser = z
  .string()
  .trim()
  .min(1)
  .max(32)
  .refine((s) => /^[a-z_][a-z0-9_-]*\$?$/.test(s), {
    message: 'Use a Unix user name: lower-case letters, digits, _ and -',
    params: { code: 'invalid-user' },
  });

export const entityId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, { message: 'Not a valid id' });

export const isoTime = z.string().datetime({ offset: true });
