/**
 * Every refusal of the S3 authentication layer: S3's code and HTTP status, a message a person can
 * act on, and the extra elements AWS adds to the error document (StringToSign, CanonicalRequest,
 * ServerTime…), which the S3 layer writes into the XML as they are.
 */
export class S3AuthError extends Error {
  override readonly name = 'S3AuthError';
  constructor(
    readonly code: string,
    readonly httpStatus: number,
    message: string,
    readonly details: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** The Authorization header cannot be read (400, AWS's AuthorizationHeaderMalformed). */
export const headerMalformed = (why: string, details: Record<string, string> = {}) =>
  new S3AuthError('AuthorizationHeaderMalformed', 400, `The authorization header is malformed; ${why}`, details);

/** A presigned URL's X-Amz-* parameters cannot be read (400, AWS's AuthorizationQueryParametersError). */
export const queryMalformed = (why: string) => new S3AuthError('AuthorizationQueryParametersError', 400, why);

export const accessDenied = (message: string, details: Record<string, string> = {}) =>
  new S3AuthError('AccessDenied', 403, message, details);

export const invalidRequest = (message: string) => new S3AuthError('InvalidRequest', 400, message);

export const invalidArgument = (message: string, name: string, value: string) =>
  new S3AuthError('InvalidArgument', 400, message, { ArgumentName: name, ArgumentValue: value });

/** A checksum the client sent disagrees with the bytes received (400). */
export const badDigest = (message: string, details: Record<string, string> = {}) => new S3AuthError('BadDigest', 400, message, details);

export const incompleteBody = (message: string) => new S3AuthError('IncompleteBody', 400, message);

/** The aws-chunked body does not follow the encoding (framing, sizes, trailers). */
export const chunkMalformed = (why: string) =>
  new S3AuthError('InvalidRequest', 400, `The aws-chunked request body is malformed: ${why}. Resend the upload; if it persists, the client's aws-chunked encoder is at fault.`);
