import crypto from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { SESSION_COOKIE } from '../../contract/transport';

/** What a session token may look like: URL- and cookie-safe, and long enough not to be guessed. */
export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{32,256}$/;

/**
 * The session cookie's name. Cookies ignore ports, so two consoles on one machine (or any other
 * local server) would see each other's cookie under one name: the port is part of the name. Under
 * TLS the `__Host-` prefix also forbids a Domain attribute and requires Secure.
 */
export function sessionCookieName(port: number, secure: boolean): string {
  return `${secure ? '__Host-' : ''}${SESSION_COOKIE}_${port}`;
}

/** A random session token, compared in constant time, accepted as a cookie or a bearer header. */
export function createSessionAuth(token: string = crypto.randomBytes(32).toString('base64url')) {
  if (!TOKEN_PATTERN.test(token)) throw new Error('A session token must be 32–256 characters of A–Z, a–z, 0–9, _ and -');
  let cookieName = SESSION_COOKIE;
  const expected = Buffer.from(token);
  const matches = (candidate: string | undefined): boolean => {
    if (!candidate) return false;
    const got = Buffer.from(candidate);
    return got.length === expected.length && crypto.timingSafeEqual(got, expected);
  };
  return {
    token,
    matches,
    /** True when the request carries the session cookie or `Authorization: Bearer <token>`. */
    isAuthorised(req: IncomingMessage): boolean {
      const auth = req.headers.authorization;
      if (auth?.startsWith('Bearer ') && matches(auth.slice(7).trim())) return true;
      return matches(readCookie(req, cookieName));
    },
    /** Called once the port is known (it may be chosen by the OS). */
    useCookieName(name: string): void {
      cookieName = name;
    },
    cookie(secure: boolean): string {
      // HttpOnly: page scripts never see it. SameSite=Strict: other sites cannot ride on it.
      return `${cookieName}=${token}; Path=/; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
    },
  };
}
export type SessionAuth = ReturnType<typeof createSessionAuth>;

export function readCookie(req: IncomingMessage, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
