import { QuotaExceededError } from '@sandboxed/plugin-sdk';

/** Gives a reserved slot back; calling it more than once is harmless. */
export type ReleaseSlot = () => void;

/**
 * Per-owner sandbox slots within one gateway. Deciding is serialized per owner (count the live
 * sandboxes, add the creates still in flight, compare), so parallel creates cannot all pass a
 * check that each one made before any of them existed. The runtime stays the source of truth
 * for live sandboxes; this only remembers the creates this process has started.
 */
export class OwnerQuotaReservations {
  private readonly inFlight = new Map<string, number>();
  private readonly queues = new Map<string, Promise<void>>();

  /** Reserves a slot, or throws QuotaExceededError. `countLive` runs under the owner's lock. */
  async reserve(owner: string, limit: number, countLive: () => Promise<number>): Promise<ReleaseSlot> {
    return this.serialized(owner, async () => {
      const live = await countLive();
      const pending = this.inFlight.get(owner) ?? 0;
      if (live + pending >= limit) {
        const creating = pending > 0 ? ` and ${pending} being created` : '';
        throw new QuotaExceededError(
          `You already have ${live} sandboxes${creating} (limit ${limit}); delete one first`,
          { limit, live, creating: pending },
        );
      }
      this.inFlight.set(owner, pending + 1);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        const left = (this.inFlight.get(owner) ?? 1) - 1;
        if (left > 0) this.inFlight.set(owner, left);
        else this.inFlight.delete(owner);
      };
    });
  }

  /** Runs `task` after every earlier task of the same owner has settled. */
  private async serialized<T>(owner: string, task: () => Promise<T>): Promise<T> {
    const before = this.queues.get(owner) ?? Promise.resolve();
    let done!: () => void;
    const mine = new Promise<void>((resolve) => (done = resolve));
    const tail = before.then(() => mine);
    this.queues.set(owner, tail);
    await before;
    try {
      return await task();
    } finally {
      done();
      if (this.queues.get(owner) === tail) this.queues.delete(owner);
    }
  }
}
