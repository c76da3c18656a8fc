import crypto from 'node:crypto';

/**
 * The control API's second lock (the first is who can reach the socket). Both sides are hashed
 * before the constant-time compare, so neither the content nor the length of the token leaks
 * through timing, and timingSafeEqual always gets equal-length inputs.
 */
export function createBearerCheck(token: string): (authorization: string | undefined) => boolean {
  const expected = crypto.createHash('sha256').update(token, 'utf8').digest();
  return (authorization) => {
    const m = /^Bearer ([\x21-\x7e]{1,1024})$/.exec(authorization ?? '');
    const presented = crypto.createHash('sha256').update(m?.[1] ?? '', 'utf8').digest();
    // Compare even when the header is malformed, so a bad header costs the same time as a wrong token.
    return crypto.timingSafeEqual(presented, expected) && m !== null;
  };
}
