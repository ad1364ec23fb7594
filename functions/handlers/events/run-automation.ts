import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { EventBridgeEvent } from 'aws-lambda';
import { events } from '../../../events/catalog';
import { newRun, stageAfterView, type AutomationRule } from '../../domain/delivery/automation';
import { advanceRun, startRun } from '../../domain/delivery/run';
import { logger } from '../../shared/logger';
import { NotFound, RuleViolation } from '../../domain/kernel/errors';
import { invoiceFromAcceptedQuote } from '../../domain/sales/quote-acceptance';
import { crm, delivery, deliveryPorts, invoicePipelines, invoicePorts } from '../../shared/wiring/core';

type Detail = Record<string, any> & { tenantId: string; eventId: string };

const movesStage = (rule: AutomationRule) => rule.actions.some((a) => a.type === 'move_to_stage' || (a.type === 'create_invoice' && Boolean(a.moveTo)));

/**
 * Automation on the bus. EventBridge delivers at least once, so every branch is idempotent:
 * runs are keyed by their cause, documents and messages by their run step, and a client's view
 * only ever moves an invoice forward.
 */
export async function runAutomation(event: EventBridgeEvent<string, Detail>): Promise<void> {
  const type = event['detail-type'];
  const definition = Object.values(events).find((e) => e.detailType === type);
  const detail = definition ? (definition.schema.parse(event.detail) as Detail) : event.detail;
  logger.appendKeys({ tenantId: detail.tenantId, eventId: detail.eventId, detailType: type });
  const ports = deliveryPorts();

  if (type === events.invoiceStageChanged.detailType) {
    const rules = (await delivery().rules.list(detail.tenantId))
      .filter((r) => r.enabled && r.entity === 'invoice' && r.stage === detail.to)
      // A move made by a rule never triggers rules that move again: two rules moving an invoice
      // back and forth cannot loop (each pass would send another e-mail).
      .filter((r) => !(detail.actorType === 'automation' && movesStage(r)));
    for (const rule of rules) {
      const run = newRun({
        tenantId: detail.tenantId, subjectType: 'invoice', subjectId: detail.invoiceId, causeEventId: detail.eventId,
        actor: `automation:${rule.id}`, ruleId: rule.id, actions: rule.actions, now: ports.now(),
      });
      const result = await startRun(ports, run);
      logger.info('automation run', { runId: result.id, status: result.status, ruleId: rule.id });
    }
    return;
  }

  if (type === events.quoteAccepted.detailType) {
    // the tenant's quote rules: the invoice from the accepted quote (once: a redelivery finds it), maybe moved on
    const rules = (await delivery().rules.list(detail.tenantId)).filter((r) => r.enabled && r.entity === 'quote' && r.stage === 'ACCEPTED');
    for (const rule of rules) {
      for (const action of rule.actions) {
        if (action.type !== 'create_invoice') continue;
        let result;
        try {
          result = await invoiceFromAcceptedQuote({ quotes: crm().quotes, invoices: invoicePorts() }, {
            tenantId: detail.tenantId, quoteId: detail.quoteId, actor: { type: 'automation', id: rule.id }, moveTo: action.moveTo, dueInDays: action.dueInDays,
          });
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
        log('invoice from an accepted quote', { ruleId: rule.id, quoteId: detail.quoteId, invoiceId: result.invoice.id, created: result.created, move: result.move });
      }
    }
    return;
  }

  if (type === events.documentCreated.detailType || type === events.documentFailed.detailType) {
    if (!detail.cause?.runId) return;
    const run = await delivery().runs.get(detail.tenantId, detail.cause.runId);
    if (!run || run.status === 'done' || run.status === 'failed') return;
    const result = await advanceRun(ports, run);
    logger.info('automation run resumed', { runId: result.id, status: result.status });
    return;
  }

  if (type === events.documentViewed.detailType && detail.subjectType === 'invoice') {
    const subject = await ports.subjects.get(detail.tenantId, 'invoice', detail.subjectId);
    if (!subject?.stage) return;
    const pipeline = await invoicePipelines().get(detail.tenantId);
    const to = stageAfterView({
      rules: await delivery().rules.list(detail.tenantId),
      via: detail.via,
      currentStage: subject.stage,
      stageOrder: pipeline.stages.map((s) => s.id),
      closedStages: pipeline.stages.filter((s) => s.kind !== 'open').map((s) => s.id),
    });
    if (to) {
      await ports.stages.move(detail.tenantId, detail.subjectId, to, `client:${detail.via}`);
      logger.info('moved after a client view', { invoiceId: detail.subjectId, to });
    }
  }
}

export const handler = middy<EventBridgeEvent<string, Detail>, void>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(runAutomation);
