import { createHash, type Hash } from 'node:crypto';
import type { ChunkSigning } from './payload-check';
import { S3AuthError, chunkMalformed, incompleteBody } from './s3-auth-error';
import { EMPTY_SHA256, hmac, sameSignature, sha256Hex } from './sigv4-canonical';

/**
 * Decodes an aws-chunked body (`hex-size[;chunk-signature=…]\r\n<data>\r\n` … `0…\r\n`, then
 * trailer lines and an empty line) into its data, yielded as it arrives: a chunk is never held
 * whole, so memory stays at one piece of the socket's stream whatever the chunk size a client
 * picks. With `signing`, each chunk's signature is checked (chained from the seed signature, as
 * AWS4-HMAC-SHA256-PAYLOAD) the moment its last byte has passed, and the trailer's
 * (AWS4-HMAC-SHA256-TRAILER) before the decoder ends; a chunk's bytes have then already reached
 * the store's temp files, but a mismatch throws before the body ends, so the put aborts and no
 * object is committed.
 */
export interface AwsChunkedOptions {
  signing?: ChunkSigning;
  /** Trailer headers may follow the last chunk (the -TRAILER variants). */
  trailer: boolean;
  /** Receives the trailer headers (lower-case name → value), signature checked, before the decoder ends. */
  onTrailers?: (trailers: Map<string, string>) => void;
}

/** Longest line the decoder reads (a chunk header with its signature is ~90 bytes; a SHA-256 trailer ~60). */
const MAX_LINE = 4096;
const TRAILER_SIGNATURE = 'x-amz-trailer-signature';

type Phase = 'size-line' | 'data' | 'data-end' | 'trailers' | 'done';

export async function* decodeAwsChunked(body: AsyncIterable<Uint8Array>, options: AwsChunkedOptions): AsyncGenerator<Uint8Array, void> {
  const signing = options.signing;
  let previousSignature = signing?.seedSignature ?? '';
  let phase: Phase = 'size-line';
  let remaining = 0;
  let chunkIndex = 0;
  let chunkSignature = '';
  let chunkHash: Hash | null = null;
  const trailers = new Map<string, string>();
  let trailerSignature: string | null = null;
  let lineParts: Buffer[] = [];
  let lineLength = 0;

  const verifyChunk = (dataHash: string) => {
    if (!signing) return;
    const sts = ['AWS4-HMAC-SHA256-PAYLOAD', signing.amzDate, signing.scope, previousSignature, EMPTY_SHA256, dataHash].join('\n');
    const expected = hmac(signing.key, sts).toString('hex');
    if (!sameSignature(expected, chunkSignature)) {
      throw new S3AuthError(
        'SignatureDoesNotMatch',
        403,
        `The signature of chunk ${chunkIndex + 1} of the aws-chunked body does not match its bytes: the body changed after it was signed. Retry the upload.`,
        { StringToSign: sts, SignatureProvided: chunkSignature },
      );
    }
    previousSignature = expected;
  };

  const finishTrailers = () => {
    if (signing && options.trailer) {
      if (trailerSignature === null) throw malformedTrailer('the trailer carries no x-amz-trailer-signature');
      const canonical = [...trailers].map(([name, value]) => `${name}:${value}\n`).join('');
      const sts = ['AWS4-HMAC-SHA256-TRAILER', signing.amzDate, signing.scope, previousSignature, sha256Hex(canonical)].join('\n');
      if (!sameSignature(hmac(signing.key, sts).toString('hex'), trailerSignature)) {
        throw new S3AuthError('SignatureDoesNotMatch', 403, 'The trailer signature of the aws-chunked body does not match its trailer headers: they changed after signing. Retry the upload.', {
          StringToSign: sts,
          SignatureProvided: trailerSignature,
        });
      }
    }
    options.onTrailers?.(trailers);
  };

  /** The line ending in this piece at `pos` or later, joined with what earlier pieces held; null when it goes on. */
  const takeLine = (piece: Buffer, pos: number): { line: string; next: number } | null => {
    const lf = piece.indexOf(0x0a, pos);
    const end = lf < 0 ? piece.length : lf;
    lineLength += end - pos;
    if (lineLength > MAX_LINE) throw chunkMalformed(`a chunk header or trailer line is longer than ${MAX_LINE} bytes`);
    lineParts.push(piece.subarray(pos, end));
    if (lf < 0) return null;
    let line = Buffer.concat(lineParts).toString('latin1');
    lineParts = [];
    lineLength = 0;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    return { line, next: lf + 1 };
  };

  for await (const raw of body) {
    const piece = Buffer.isBuffer(raw) ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
    let pos = 0;
    while (pos < piece.length) {
      if (phase === 'data') {
        const take = Math.min(remaining, piece.length - pos);
        const data = piece.subarray(pos, pos + take);
        chunkHash?.update(data);
        pos += take;
        remaining -= take;
        if (remaining === 0) phase = 'data-end';
        yield data;
        continue;
      }
      if (phase === 'done') throw chunkMalformed('bytes follow the end of the encoding');
      const taken = takeLine(piece, pos);
      if (!taken) break;
      pos = taken.next;
      const { line } = taken;
      if (phase === 'data-end') {
        if (line !== '') throw chunkMalformed(`chunk ${chunkIndex + 1} is longer than its size says`);
        verifyChunk(chunkHash ? chunkHash.digest('hex') : EMPTY_SHA256);
        chunkIndex++;
        phase = 'size-line';
      } else if (phase === 'size-line') {
        const m = /^([0-9a-fA-F]{1,15})((?:;[^;]*)*)$/.exec(line);
        if (!m) throw chunkMalformed(`"${line.slice(0, 100)}" is not a chunk header (hex size, then ;chunk-signature=…)`);
        const size = parseInt(m[1]!, 16);
        const signature = /;chunk-signature=([^;]*)/.exec(m[2]!)?.[1]?.trim();
        if (signing) {
          if (signature === undefined || !/^[0-9a-fA-F]{64}$/.test(signature)) throw chunkMalformed(`chunk ${chunkIndex + 1} carries no chunk-signature`);
          chunkSignature = signature;
        }
        if (size > 0) {
          remaining = size;
          chunkHash = signing ? createHash('sha256') : null;
          phase = 'data';
        } else {
          // The last chunk: no data, its signature over the empty string; the trailer (or an empty line) follows.
          verifyChunk(EMPTY_SHA256);
          phase = 'trailers';
        }
      } else if (phase === 'trailers') {
        if (line === '') {
          finishTrailers();
          phase = 'done';
          continue;
        }
        const colon = line.indexOf(':');
        if (colon <= 0 || !options.trailer) throw malformedTrailer(`"${line.slice(0, 100)}" after the last chunk is not a trailer header`);
        const name = line.slice(0, colon).trim().toLowerCase();
        const value = line.slice(colon + 1).trim();
        if (name === TRAILER_SIGNATURE) trailerSignature = value;
        else if (trailers.has(name)) throw malformedTrailer(`the trailer ${name} is given twice`);
        else trailers.set(name, value);
      }
    }
  }
  if (phase !== 'done') {
    throw incompleteBody('The request body ended before the last chunk of its aws-chunked encoding: the client stopped sending. Retry the upload.');
  }
}

const malformedTrailer = (why: string) =>
  new S3AuthError('MalformedTrailerError', 400, `The request contained trailing data that was not well-formed or did not conform to our published schema: ${why}.`);
