import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { EventBridgeEvent } from 'aws-lambda';
import { events } from '../../../events/catalog';
import { newRun, stageAfterView } from '../../domain/automation';
import { advanceRun, startRun } from '../../domain/delivery';
import { logger } from '../../shared/logger';
import { delivery, deliveryPorts, invoicePipelines } from '../../shared/wiring';

type Detail = Record<string, any> & { tenantId: string; eventId: string };

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
    const rules = (await delivery().rules.list(detail.tenantId)).filter((r) => r.enabled && r.entity === 'invoice' && r.stage === detail.to);
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
