/**
 * Calendar dates as the domain keeps them: `YYYY-MM-DD`, in UTC. Time-driven rules take `now` as an
 * argument (a port's clock), so tests pass the day they mean.
 */

/** The day of `now` (default: this instant) as YYYY-MM-DD, in UTC. */
export function today(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10);
}

/**
 * The calendar day (YYYY-MM-DD) an instant (ISO string) falls on in `timeZone` (an IANA zone; UTC when absent or
 * unknown to the runtime): a deal won at 23:30Z on 30 November was won on 1 December in Madrid.
 */
export function dayIn(instant: string, timeZone = 'UTC'): string {
  const at = new Date(instant);
  if (timeZone === 'UTC' || Number.isNaN(at.getTime())) return instant.slice(0, 10);
  try {
    const f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    const p = Object.fromEntries(f.formatToParts(at).map((x) => [x.type, x.value]));
    return `${p.year}-${p.month}-${p.day}`;
  } catch {
    return instant.slice(0, 10);
  }
}

/** `date` (YYYY-MM-DD) plus `days` (negative: minus), as YYYY-MM-DD. */
export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}
