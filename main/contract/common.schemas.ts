import { z } from 'zod';

/** RFC 1123 host name (labels of letters, digits and hyphens), an IPv4 address, or an IPv6 address. */
const HOSTNAME_RE = /^(?=.{1,253}$)([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*\.?$/;
const IPV4_RE = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
// IPv6 is checked loosely here (hex groups and colons, optional zone) and strictly by net.isIPv6 in main.
const IPV6_RE = /^[0-9a-fA-F:.]{2,45}(%[\w.-]{1,32})?$/;

export const networkAddress = z
  .string()
  .trim()
  .min(1)
  .max(253)
  .refine((s) => IPV4_RE.test(s) || (s.includes(':') && IPV6_RE.test(s)) || (!/^[\d.]+$/.test(s) && HOSTNAME_RE.test(s)), {
    message: 'Enter a host name, an IPv4 address or an IPv6 address',
    params: { code: 'invalid-address' },
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
