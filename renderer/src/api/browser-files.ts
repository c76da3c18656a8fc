/** Files in and out of the page: what downloads through the console share (Kodo objects, support bundles). */

/** Hands a Blob to the browser's (or Electron's) download: the person picks where it goes. */
export function saveBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  // The download has its own reference once started; the URL is only the way to it.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/**
 * A file received in chunks, without holding it in the page's memory: every 64 MiB the chunks so
 * far become a Blob, which Chromium keeps on disk when large.
 */
export function createBlobCollector(type: string) {
  let blobs: Blob[] = [];
  let parts: Uint8Array[] = [];
  let held = 0;
  const fold = () => {
    if (parts.length) blobs = [new Blob([...blobs, ...(parts as BlobPart[])])];
    parts = [];
    held = 0;
  };
  return {
    add(bytes: Uint8Array) {
      parts.push(bytes);
      held += bytes.length;
      if (held >= 64 * 1024 * 1024) fold();
    },
    blob(): Blob {
      fold();
      return new Blob(blobs, { type });
    },
  };
}

/** Bytes of a base64 chunk as the console's *Chunk/read methods send them. */
export function bytesOf(base64: string): Uint8Array {
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}
