import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { EventBridgeEvent } from 'aws-lambda';
import { events, type EventDetail } from '../../../events/catalog';
import { Automation, Delivery, type AutomationRule } from '../../domain/delivery';
import { NotFound, RuleViolation } from '../../domain/kernel';
import { QuoteAcceptance } from '../../domain/sales';
import { logger } from '../../shared/logger';
import { delivery, deliveryPorts } from '../../shared/wiring/delivery';
import { invoicePipelines, invoicePorts } from '../../shared/wiring/invoicing';
import { sales } from '../../shared/wiring/sales';

type EventKey = keyof typeof events;

/** What automation does on one kind of event, given its detail parsed by that event's schema. */
type Reaction<K extends EventKey> = (detail: EventDetail<K>) => Promise<void>;

const movesStage = (rule: AutomationRule) => rule.actions.some((a) => a.type === 'move_to_stage' || (a.type === 'create_invoice' && Boolean(a.moveTo)));

/** invoice.stage_changed: the runs of the tenant's rules for the stage entered. */
const onStageChanged: Reaction<'invoiceStageChanged'> = async (detail) => {
  const ports = deliveryPorts();
  const rules = (await delivery().rules.list(detail.tenantId))
    .filter((r) => r.enabled && r.entity === 'invoice' && r.stage === detail.to)
    // only rules that existed (as they are now) when the move happened: a replay never meets newer rules
    .filter((r) => Automation.actsOn(r, detail.occurredAt))
    // A move made by a rule never triggers rules that move again: two rules moving an invoice
    // back and forth cannot loop (each pass would send another e-mail).
    .filter((r) => !(detail.actorType === 'automation' && movesStage(r)));
  for (const rule of rules) {
    const run = Automation.newRun({
      tenantId: detail.tenantId,
      subjectType: 'invoice',
      subjectId: detail.invoiceId,
      causeEventId: detail.eventId,
      actor: `automation:${rule.id}`,
      ruleId: rule.id,
      actions: rule.actions,
      now: ports.now(),
    });
    const result = await Delivery.start(ports, run);
    logger.info('automation run', { runId: result.id, status: result.status, ruleId: rule.id });
  }
};

/**
 * quote.accepted: the tenant's quote rules, the invoice from the accepted quote (once: a redelivery finds it), maybe
 * moved on; then the rule's other actions (notify_responsible: the seller is told) as a run on the quote, keyed by
 * the event and the rule like every run, so a redelivery never tells twice.
 */
const onQuoteAccepted: Reaction<'quoteAccepted'> = async (detail) => {
  const rules = (await delivery().rules.list(detail.tenantId)).filter(
    (r) => r.enabled && r.entity === 'quote' && r.stage === 'ACCEPTED' && Automation.actsOn(r, detail.occurredAt),
  );
  for (const rule of rules) {
    await invoiceQuote(detail, rule);
    const others = rule.actions.filter((a) => a.type !== 'create_invoice');
    if (others.length === 0) continue;
    const ports = deliveryPorts();
    const run = Automation.newRun({
      tenantId: detail.tenantId,
      subjectType: 'quote',
      subjectId: detail.quoteId,
      causeEventId: detail.eventId,
      actor: `automation:${rule.id}`,
      ruleId: rule.id,
      actions: others,
      now: ports.now(),
    });
    const result = await Delivery.start(ports, run);
    logger.info('automation run', { runId: result.id, status: result.status, ruleId: rule.id, error: result.error });
  }
};

/** The create_invoice actions of a quote rule. */
async function invoiceQuote(detail: EventDetail<'quoteAccepted'>, rule: AutomationRule): Promise<void> {
  for (const action of rule.actions) {
    if (action.type !== 'create_invoice') continue;
    let result;
    try {
      result = await QuoteAcceptance.invoiceAccepted(
        { quotes: sales().quotes, invoices: invoicePorts() },
        {
          tenantId: detail.tenantId,
          id: detail.quoteId,
          actor: { type: 'automation', id: rule.id },
          moveTo: action.moveTo,
          dueInDays: action.dueInDays,
        },
      );
    } catch (error) {
      // what the data refuses (lines the invoice rejects, a quote gone) no retry fixes; a Conflict (a write that
      // collided) is thrown for the bus to retry, which then finds the invoice if it was made
      if (error instanceof RuleViolation || error instanceof NotFound) {
        logger.error('the accepted quote could not be invoiced', { ruleId: rule.id, quoteId: detail.quoteId, error: error as Error });
        continue;
      }
      throw error;
    }
    const log = typeof result.move === 'object' ? logger.warn.bind(logger) : logger.info.bind(logger);
    log('invoice from an accepted quote', {
      ruleId: rule.id,
      quoteId: detail.quoteId,
      invoiceId: result.invoice.id,
      created: result.created,
      move: result.move,
    });
  }
}

/** document.created / document.failed: the run that waited for the render goes on. */
const onDocumentDone: Reaction<'documentCreated' | 'documentFailed'> = async (detail) => {
  if (!detail.cause?.runId) return;
  const run = await delivery().runs.get(detail.tenantId, detail.cause.runId);
  if (!run || run.status === 'done' || run.status === 'failed') return;
  const result = await Delivery.advance(deliveryPorts(), run);
  logger.info('automation run resumed', { runId: result.id, status: result.status });
};

/** automation.run_retried: a person asked a failed run (or one of its messages) to be tried again. */
const onRunRetried: Reaction<'automationRunRetried'> = async (detail) => {
  const run = await delivery().runs.get(detail.tenantId, detail.runId);
  if (!run || run.status === 'done' || run.status === 'failed') return;
  const result = await Delivery.advance(deliveryPorts(), run);
  logger.info('automation run retried', { runId: result.id, status: result.status, error: result.error });
};

/** document.viewed of an invoice: the client's view moves it forward when a rule's trigger says so. */
const onDocumentViewed: Reaction<'documentViewed'> = async (detail) => {
  if (detail.subjectType !== 'invoice') return;
  const ports = deliveryPorts();
  const subject = await ports.subjects.get(detail.tenantId, 'invoice', detail.subjectId);
  if (!subject?.stage) return;
  const pipeline = await invoicePipelines().get(detail.tenantId);
  const to = Automation.stageAfterView({
    rules: (await delivery().rules.list(detail.tenantId)).filter((r) => Automation.actsOn(r, detail.occurredAt)),
    via: detail.via,
    currentStage: subject.stage,
    stageOrder: pipeline.stages.map((s) => s.id),
    closedStages: pipeline.stages.filter((s) => s.kind !== 'open').map((s) => s.id),
  });
  if (to) {
    await ports.stages.move(detail.tenantId, detail.subjectId, to, `client:${detail.via}`);
    logger.info('moved after a client view', { invoiceId: detail.subjectId, to });
  }
};

/** One typed reaction per event automation listens to (events/rules.ts routes exactly these here). */
export const reactions: { [K in EventKey]?: Reaction<K> } = {
  invoiceStageChanged: onStageChanged,
  quoteAccepted: onQuoteAccepted,
  documentCreated: onDocumentDone,
  documentFailed: onDocumentDone,
  documentViewed: onDocumentViewed,
  automationRunRetried: onRunRetried,
};

const keyByDetailType = new Map(Object.entries(events).map(([key, e]) => [e.detailType, key as EventKey]));

/** Parses the detail with its event's schema and runs that event's reaction (nothing for any other event). */
async function react<K extends EventKey>(key: K, raw: unknown): Promise<void> {
  const reaction = reactions[key] as Reaction<K> | undefined;
  if (!reaction) return;
  const detail = events[key].schema.parse(raw) as EventDetail<K>;
  logger.appendKeys({ tenantId: detail.tenantId, eventId: detail.eventId, detailType: events[key].detailType });
  await reaction(detail);
}

/**
 * Automation on the bus. EventBridge delivers at least once, so every reaction is idempotent:
 * runs are keyed by their cause, documents and messages by their run step, and a client's view
 * only ever moves an invoice forward.
 */
export async function runAutomation(event: EventBridgeEvent<string, unknown>): Promise<void> {
  const key = keyByDetailType.get(event['detail-type']);
  if (!key) {
    logger.warn('unexpected event', { detailType: event['detail-type'] });
    return;
  }
  await react(key, event.detail);
}

export const handler = middy<EventBridgeEvent<string, unknown>, void>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(runAutomation);
