import { MAX_PART_NUMBER } from '../../store';
import { invalidArgument } from '../s3-errors';

/** The query parameters of the multipart operations, read as S3 reads them. */

export function partNumberOf(query: URLSearchParams): number {
  const raw = query.get('partNumber') ?? '';
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 1 || n > MAX_PART_NUMBER) {
    throw invalidArgument(`Part number must be an integer between 1 and ${MAX_PART_NUMBER}, inclusive.`, 'partNumber', raw);
  }
  return n;
}

export function uploadIdOf(query: URLSearchParams): string {
  return query.get('uploadId') ?? '';
}

/** max-parts / max-uploads: 0…1000, larger is 1000 (as S3); not a number is InvalidArgument. */
export function maxOf(query: URLSearchParams, name: 'max-parts' | 'max-uploads'): number {
  const raw = query.get(name);
  if (raw === null) return 1000;
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(Number(raw))) throw invalidArgument(`Provided ${name} not an integer or within integer range.`, name, raw);
  return Math.min(1000, Number(raw));
}

export function partNumberMarkerOf(query: URLSearchParams): number | undefined {
  const raw = query.get('part-number-marker');
  if (raw === null || raw === '') return undefined;
  if (!/^\d+$/.test(raw)) throw invalidArgument('Provided part-number-marker not an integer.', 'part-number-marker', raw);
  return Number(raw);
}

/** x-amz-copy-source-range: `bytes=first-last`, both required (S3's syntax for UploadPartCopy). */
export function copySourceRangeOf(value: string | undefined): { start: number; end: number } | undefined {
  if (value === undefined) return undefined;
  const m = /^bytes=(\d+)-(\d+)$/.exec(value.trim());
  if (!m || Number(m[2]) < Number(m[1])) {
    throw invalidArgument('The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy.', 'x-amz-copy-source-range', value);
  }
  return { start: Number(m[1]), end: Number(m[2]) };
}
