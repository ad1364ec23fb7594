import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { nowIso } from '../../domain/kernel';
import { type AttemptOutcome, WebhookSweep, WebhookWorker } from '../../domain/webhooks';
import { logger } from '../../shared/logger';
import { webhookStore, webhookWorkerPorts } from '../../shared/wiring/webhooks';

/** Most due deliveries read per run, and most attempted (taken round-robin across tenants). */
const READ_LIMIT = 1000;
const ATTEMPT_LIMIT = 200;
/** Attempts in flight at once (each bounded by the sender's deadline). */
const CONCURRENCY = 25;
/**
 * No new attempt starts after this long (the function's timeout is 60 s and an attempt takes at most the
 * sender's 10 s deadline): what is left is still due, and the next run (a minute later) takes it.
 */
const STOP_STARTING_AFTER_MS = 40_000;

export interface SweepInput {
  /** The instant to sweep at (local runs and tests move the clock); the real clock when absent. */
  now?: string;
}

export interface SweepResult {
  due: number;
  outcomes: Partial<Record<AttemptOutcome['outcome'], number>>;
}

/**
 * The retry sweep: every pending delivery whose next attempt is due (Standard Webhooks schedule: 5 s,
 * 5 min, 30 min, 2 h, 5 h, 10 h, 10 h) gets it now. Run every minute by EventBridge Scheduler in AWS and on
 * a timer inside `npm start`; the clock is an argument. Idempotent: a delivery not (or no longer) due is
 * left alone, and two overlapping sweeps record each attempt once (version-conditioned writes).
 */
export async function sweepWebhooks(input: SweepInput = {}): Promise<SweepResult> {
  const at = input.now;
  const now = at ?? nowIso();
  if (Number.isNaN(Date.parse(now))) throw new Error(`not an instant: ${now}`);
  const due = WebhookSweep.fairOrder(await webhookStore().due(now, READ_LIMIT), ATTEMPT_LIMIT);
  const ports = webhookWorkerPorts(at ? () => at : nowIso);
  const outcomes: SweepResult['outcomes'] = {};
  let next = 0;
  const stopAt = Date.now() + STOP_STARTING_AFTER_MS;
  const work = async () => {
    while (next < due.length && Date.now() < stopAt) {
      const d = due[next++];
      try {
        const { outcome } = await WebhookWorker.attemptDelivery(ports, { tenantId: d.tenantId, deliveryId: d.id });
        outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
      } catch (error) {
        // one broken delivery (a secret that no longer opens, a table hiccup) never stops the others
        logger.error('webhook attempt failed', { tenantId: d.tenantId, deliveryId: d.id, error: error as Error });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, due.length) }, work));
  if (due.length) logger.info('webhook sweep', { at: now, due: due.length, outcomes });
  return { due: due.length, outcomes };
}

export const handler = middy<SweepInput | undefined, SweepResult>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event) => sweepWebhooks(event && typeof event === 'object' && typeof event.now === 'string' ? { now: event.now } : {}));
