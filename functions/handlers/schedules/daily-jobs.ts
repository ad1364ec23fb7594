import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import * as z from 'zod';
import { Calendar, RecurringJob, type PeriodMade } from '../../domain/scheduling';
import { logger } from '../../shared/logger';
import { generatePorts, tenantTimeZone } from '../../shared/wiring/scheduling';

/**
 * The daily jobs, as of a date: recurring invoices (one per due period). Run by EventBridge Scheduler every
 * hour (each tenant's date is its own time zone's: a tenant's day starts when its midnight passes), by the
 * scheduler inside `npm start`, and by `npm run jobs -- --date YYYY-MM-DD` (the same date for every tenant:
 * re-running a missed day). Every job is idempotent per thing and period: running it again for the same date
 * does nothing.
 */
export const JobsInput = z
  .object({
    /** Run as of this date (every tenant); default: each tenant's today. */
    date: z.iso.date().optional(),
    /** Only this tenant. */
    tenantId: z.string().optional(),
    /** The instant the jobs run at (ISO); default now. Tests pass the clock in. */
    now: z.iso.datetime().optional(),
  })
  .loose();
export type JobsInput = z.infer<typeof JobsInput>;

export interface JobsSummary {
  asOf: string | null;
  recurring: { made: number; found: number; periods: PeriodMade[] };
}

/** The furthest-ahead zone: its date is the latest any tenant can be on. */
const LATEST_ZONE = 'Etc/GMT-14';

/** The instant a job for `date` runs at: now when the date is today (UTC), else noon UTC of that date. */
export function clockFor(input: JobsInput, real: Date = new Date()): Date {
  if (input.now) return new Date(input.now);
  if (!input.date || input.date === real.toISOString().slice(0, 10)) return real;
  return new Date(`${input.date}T12:00:00.000Z`);
}

export async function runDailyJobs(raw: unknown): Promise<JobsSummary> {
  const input = JobsInput.parse(raw ?? {});
  const now = clockFor(input);
  const clock = () => now;
  const asOfFor = input.date ? undefined : async (tenantId: string) => Calendar.localDate(now, await tenantTimeZone(tenantId));
  const periods = await RecurringJob.runDue(generatePorts(clock), {
    asOf: input.date ?? Calendar.localDate(now, LATEST_ZONE),
    tenantId: input.tenantId,
    asOfFor,
  });
  const summary: JobsSummary = {
    asOf: input.date ?? null,
    recurring: { made: periods.filter((p) => p.created).length, found: periods.filter((p) => !p.created).length, periods },
  };
  logger.info('daily jobs', { asOf: summary.asOf, recurringMade: summary.recurring.made, recurringFound: summary.recurring.found });
  return summary;
}

export const handler = middy(async (event: unknown) => runDailyJobs(event)).use(injectLambdaContext(logger));
