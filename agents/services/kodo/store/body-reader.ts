import { StoreError } from './errors';

export type ObjectBody = AsyncIterable<Uint8Array> | Iterable<Uint8Array> | Uint8Array;

/**
 * Cuts a body into stripes: fill(target) copies the next target.length bytes (fewer only at the
 * end) into target, holding at most one chunk of the caller's stream meanwhile.
 */
export class StripeReader {
  private readonly iterator: AsyncIterator<Uint8Array> | Iterator<Uint8Array>;
  private pending: Uint8Array | null = null;
  private done = false;

  constructor(body: ObjectBody) {
    if (body instanceof Uint8Array) this.iterator = [body][Symbol.iterator]();
    else if (Symbol.asyncIterator in body) this.iterator = body[Symbol.asyncIterator]();
    else this.iterator = body[Symbol.iterator]();
  }

  async fill(target: Uint8Array): Promise<number> {
    let filled = 0;
    while (filled < target.length) {
      if (!this.pending || this.pending.length === 0) {
        if (this.done) break;
        const next = await this.iterator.next();
        if (next.done) {
          this.done = true;
          break;
        }
        const chunk: unknown = next.value;
        if (typeof chunk === 'string') this.pending = Buffer.from(chunk);
        else if (chunk instanceof Uint8Array) this.pending = chunk;
        else throw new StoreError('BadBody', 'an object body yields Uint8Array chunks');
        continue;
      }
      const take = Math.min(this.pending.length, target.length - filled);
      target.set(this.pending.subarray(0, take), filled);
      filled += take;
      this.pending = this.pending.subarray(take);
    }
    return filled;
  }

  /** Stops the caller's stream early (a failed put): lets a Readable release its resources. */
  async cancel(): Promise<void> {
    this.done = true;
    this.pending = null;
    try {
      await this.iterator.return?.();
    } catch {
      // the body's own error, already reported or irrelevant
    }
  }
}
