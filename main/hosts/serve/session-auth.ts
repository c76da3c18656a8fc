import crypto from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { SESSION_COOKIE } from '../../contract/transport';

/** A random session token, compared in constant time, accepted as a cookie or a bearer header. */
export function createSessionAuth(token: string = crypto.randomBytes(32).toString('base64url')) {
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
      return matches(readCookie(req, SESSION_COOKIE));
    },
    cookie(secure: boolean): string {
      // HttpOnly: page scripts never see it. SameSite=Strict: other sites cannot ride on it.
      return `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
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
