import { QuotaExceededError } from '@sandboxed/plugin-sdk';

/** Gives a reserved slot back; calling it more than once is harmless. */
export type ReleaseSlot = () => void;

/**
 * Per-owner sandbox slots within one gateway. Deciding is serialized per owner (count the live
 * sandboxes, add the creates still in flight, compare), so parallel creates cannot all pass a
 * check that each one made before any of them existed. The runtime stays the source of truth
 * for live sandboxes; this only remembers the creates this process has started, by sandbox id,
 * so one that the runtime already lists while its create is still running counts once.
 */
export class OwnerQuotaReservations {
  private readonly inFlight = new Map<string, Set<string>>();
  private readonly queues = new Map<string, Promise<void>>();

  /**
   * Reserves a slot for the sandbox `id` is about to create, or throws QuotaExceededError.
   * `liveIds` (the owner's live sandboxes on the runtime) runs under the owner's lock.
   */
  async reserve(owner: string, id: string, limit: number, liveIds: () => Promise<string[]>): Promise<ReleaseSlot> {
    return this.serialized(owner, async () => {
      const creating = this.inFlight.get(owner) ?? new Set<string>();
      const live = (await liveIds()).filter((liveId) => !creating.has(liveId)).length;
      const pending = creating.size;
      if (live + pending >= limit) {
        const more = pending > 0 ? ` and ${pending} being created` : '';
        throw new QuotaExceededError(`You already have ${live} sandboxes${more} (limit ${limit}); delete one first`, {
          limit,
          live,
          creating: pending,
        });
      }
      this.inFlight.set(owner, creating.add(id));
      return () => {
        creating.delete(id);
        if (creating.size === 0 && this.inFlight.get(owner) === creating) this.inFlight.delete(owner);
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
