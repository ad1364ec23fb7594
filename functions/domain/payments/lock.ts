/**
 * A process-wide queue per ledger item (a payment, an invoice): verbs of one process that write the same
 * items run one after the other instead of colliding and retrying. Across processes (Lambda containers)
 * the version conditions of the transaction decide, as always; this only spares a busy process (a bank
 * import recording many rows, the local runner serving concurrent requests) its own collisions.
 *
 * A call enqueues itself on ALL its keys at once (synchronously), so any two calls are ordered the same way
 * on every key they share: no deadlock.
 */
export type KeyedLock = <T>(keys: string[], fn: () => Promise<T>) => Promise<T>;

export function keyedLock(): KeyedLock {
  const tails = new Map<string, Promise<void>>();
  return async (keys, fn) => {
    const unique = [...new Set(keys)];
    let release!: () => void;
    const done = new Promise<void>((resolve) => {
      release = resolve;
    });
    const before = unique.map((key) => tails.get(key) ?? Promise.resolve());
    const mine = before.map((previous) => previous.then(() => done));
    unique.forEach((key, i) => tails.set(key, mine[i]));
    await Promise.all(before);
    try {
      return await fn();
    } finally {
      release();
      unique.forEach((key, i) => {
        if (tails.get(key) === mine[i]) tails.delete(key);
      });
    }
  };
}
