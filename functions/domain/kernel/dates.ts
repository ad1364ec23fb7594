/**
 * Calendar dates as the domain keeps them: `YYYY-MM-DD`, in UTC. Time-driven rules take `now` as an
 * argument (a port's clock), so tests pass the day they mean.
 */

/** The day of `now` (default: this instant) as YYYY-MM-DD, in UTC. */
export function today(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10);
}

/** `date` (YYYY-MM-DD) plus `days` (negative: minus), as YYYY-MM-DD. */
export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}
