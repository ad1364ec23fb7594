/**
 * The retry schedule of a webhook delivery: the Standard Webhooks convention's own. The first attempt
 * is made at once; after a failure the next comes 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h later,
 * and a delivery whose eighth attempt fails has failed for good: 27 h 35 min 5 s after the first
 * attempt, so an endpoint that is down for a whole day still gets the event.
 *
 * Planned instants add up from the first attempt (not from when the previous attempt really ran),
 * so a queue that runs one attempt late does not push all the later ones. Pure: the clock comes in.
 */

/** Delay before attempt n+1, by n (the number of attempts made), in seconds. */
export const RETRY_DELAYS_SECONDS = [5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600, 10 * 3600] as const;

/** The first attempt plus one per retry delay. */
export const MAX_ATTEMPTS = RETRY_DELAYS_SECONDS.length + 1;

/** Seconds from the first attempt to the last one. */
export const RETRY_WINDOW_SECONDS = RETRY_DELAYS_SECONDS.reduce((a, b) => a + b, 0);

/**
 * When attempt `attempt + 1` is due, `attempt` attempts (1 or more) having failed, the first at `firstAt`;
 * null when there is none left (the delivery has failed).
 */
export function nextAttemptAt(attempt: number, firstAt: Date | string): Date | null {
  if (!Number.isInteger(attempt) || attempt < 1) throw new RangeError(`attempt must be a positive integer, not ${attempt}`);
  if (attempt >= MAX_ATTEMPTS) return null;
  const start = typeof firstAt === 'string' ? Date.parse(firstAt) : firstAt.getTime();
  if (!Number.isFinite(start)) throw new RangeError(`not an instant: ${String(firstAt)}`);
  const offset = RETRY_DELAYS_SECONDS.slice(0, attempt).reduce((a, b) => a + b, 0);
  return new Date(start + offset * 1000);
}
