/**
 * One operation per id at a time, in call order (an object key's commits and deletes, a multipart
 * upload's part commits, completion and abort). In-process only: the store's process is its disks'
 * only writer.
 */
export type KeyedLock = <T>(id: string, fn: () => Promise<T>) => Promise<T>;

export function createKeyedLock(): KeyedLock {
  const locks = new Map<string, Promise<unknown>>();
  return <T>(id: string, fn: () => Promise<T>): Promise<T> => {
    const previous = locks.get(id) ?? Promise.resolve();
    const run = previous.then(fn, fn);
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    locks.set(id, settled);
    void settled.then(() => {
      if (locks.get(id) === settled) locks.delete(id);
    });
    return run;
  };
}

export const keyLockId = (bucket: string, key: string): string => `key\0${bucket}\0${key}`;
export const uploadLockId = (bucket: string, uploadId: string): string => `upload\0${bucket}\0${uploadId}`;
