import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import * as z from 'zod';
import { ScheduledSends } from '../../domain/scheduling';
import { logger } from '../../shared/logger';
import { scheduledSendPorts } from '../../shared/wiring/reminders';

/**
 * The scheduled sends' sweep: every send due by now, once (claimed, sent keyed by the send, marked sent). Run
 * every minute by EventBridge Scheduler and by the scheduler inside `npm start`; the daily jobs fire it too.
 */
const Input = z.object({ now: z.iso.datetime().optional() }).loose();

export async function sweep(raw: unknown) {
  const input = Input.parse(raw ?? {});
  const now = input.now ? new Date(input.now) : new Date();
  const result = await ScheduledSends.fireDue(scheduledSendPorts(() => now));
  if (result.sent.length + result.skipped.length > 0)
    logger.info('scheduled sends', { sent: result.sent.length, skipped: result.skipped.length, busy: result.busy.length });
  return result;
}

export const handler = middy(async (event: unknown) => sweep(event)).use(injectLambdaContext(logger));
