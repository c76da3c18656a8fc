import type { TypedClient } from '../../../main/contract/transport';
import { bytesOf, createBlobCollector } from './browser-files';

/**
 * Moves one file between this page and Kodo through the console, a chunk per call
 * (main/services/kodo/kodo-transfers.ts has the other side): each call answers when its bytes are
 * on their way to the machine, so `onProgress` reports bytes the console took, and an aborted
 * `signal` stops between two chunks and tells the console to cancel (an upload then stores
 * nothing). One chunk is in flight at a time: the console writes it into one streamed S3 request.
 */

export interface TransferProgress {
  bytes: number;
  total: number;
}

export class TransferCancelled extends Error {
  override name = 'TransferCancelled';
}

export async function uploadFile(
  client: TypedClient,
  target: { applianceId: string; bucket: string; key: string },
  file: Blob,
  onProgress: (p: TransferProgress) => void,
  signal: AbortSignal,
): Promise<{ etag: string | null }> {
  const begun = await client.call('kodo.beginUpload', { ...target, size: file.size, contentType: file.type });
  try {
    let offset = 0;
    for (;;) {
      if (signal.aborted) throw new TransferCancelled();
      const slice = file.slice(offset, offset + begun.chunkBytes);
      const answer = await client.call('kodo.uploadChunk', { transferId: begun.transferId, offset, data: await base64Of(slice) });
      offset = answer.received;
      onProgress({ bytes: offset, total: file.size });
      if (answer.done) return { etag: answer.etag };
    }
  } catch (err) {
    // A failed chunk closed the transfer already; a cancelled one is closed here.
    if (err instanceof TransferCancelled) await client.call('kodo.cancelTransfer', { transferId: begun.transferId }).catch(() => undefined);
    throw err;
  }
}

export async function downloadObject(
  client: TypedClient,
  source: { applianceId: string; bucket: string; key: string },
  onProgress: (p: TransferProgress) => void,
  signal: AbortSignal,
): Promise<Blob> {
  const begun = await client.call('kodo.beginDownload', source);
  const collected = createBlobCollector(begun.contentType);
  let offset = 0;
  onProgress({ bytes: 0, total: begun.size });
  try {
    for (;;) {
      if (signal.aborted) throw new TransferCancelled();
      const chunk = await client.call('kodo.downloadChunk', { transferId: begun.transferId, offset });
      const bytes = bytesOf(chunk.data);
      collected.add(bytes);
      offset += bytes.length;
      onProgress({ bytes: offset, total: begun.size });
      if (chunk.done) return collected.blob();
    }
  } catch (err) {
    if (err instanceof TransferCancelled) await client.call('kodo.cancelTransfer', { transferId: begun.transferId }).catch(() => undefined);
    throw err;
  }
}

/** base64 of a Blob slice, by the browser's own encoder (FileReader's data URL). */
function base64Of(blob: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => {
      const url = String(reader.result);
      const at = url.indexOf(','); // an empty Blob may come back as a bare "data:"
      resolve(at === -1 ? '' : url.slice(at + 1));
    };
    reader.onerror = () => reject(reader.error ?? new Error('the file could not be read'));
    reader.readAsDataURL(blob);
  });
}
