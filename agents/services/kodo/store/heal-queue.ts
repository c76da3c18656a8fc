/**
 * Heal on read: objects a read found with missing or bad shards, healed one at a time in the
 * background (MinIO queues them the same way). Deduplicated (an object waiting or being healed is
 * not queued again, so the heal's own reports cannot loop) and bounded: when full, further objects
 * are dropped and counted — the scanner's next cycle finds them anyway.
 */

export class HealQueue {
  private readonly waiting = new Map<string, { bucket: string; key: string }>();
  private active: string | null = null;
  private running: Promise<void> | null = null;
  private closed = false;
  /** Objects it rewrote shards of. */
  healed = 0;
  dropped = 0;

  constructor(
    private readonly limit: number,
    /** Resolves true when it rewrote anything. */
    private readonly heal: (bucket: string, key: string) => Promise<boolean>,
  ) {}

  get pending(): number {
    return this.waiting.size;
  }

  get busy(): boolean {
    return this.running !== null;
  }

  add(bucket: string, key: string): void {
    const id = `${bucket}\0${key}`;
    if (this.closed || this.active === id || this.waiting.has(id)) return;
    if (this.waiting.size >= this.limit) {
      this.dropped++;
      return;
    }
    this.waiting.set(id, { bucket, key });
    this.running ??= this.drain();
  }

  /** Resolves once the queue is empty (tests, and close). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /** Takes nothing more; the object being healed finishes. */
  async close(): Promise<void> {
    this.closed = true;
    this.waiting.clear();
    await this.idle();
  }

  private async drain(): Promise<void> {
    // Let the read that found the problem finish first.
    await new Promise<void>((resolve) => setImmediate(resolve));
    for (let next = this.waiting.entries().next(); !next.done; next = this.waiting.entries().next()) {
      const [id, { bucket, key }] = next.value;
      this.waiting.delete(id);
      this.active = id;
      try {
        if (await this.heal(bucket, key)) this.healed++;
      } catch {
        // Reported by the heal itself (onShardProblem); the scanner retries on its next cycle.
      } finally {
        this.active = null;
      }
    }
    this.running = null;
  }
}
