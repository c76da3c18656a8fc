/**
 * Signature Version 4 for Kodo's S3 API: who signed a request (authenticateRequest), and the body
 * as it must reach the store, decoded and verified (verifyPayload). See README.md.
 */
export { authenticateRequest, DEFAULT_MAX_SKEW_MS, type AuthOptions, type AuthRequest, type AuthResult } from './authenticate-request';
export { verifyPayload, type VerifiedPayload, type VerifyPayloadOptions } from './verify-payload';
export { presignUrl, type PresignInput } from './presign-url';
export { S3AuthError } from './s3-auth-error';
export type { PayloadCheck } from './payload-check';
export type { ChecksumAlgorithm } from './payload-checksums';
