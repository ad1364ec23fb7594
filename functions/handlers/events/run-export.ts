import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { EventBridgeEvent } from 'aws-lambda';
import { events } from '../../../events/catalog';
import { DomainError } from '../../domain/kernel';
import { ExportJobs } from '../../domain/reporting';
import { logger } from '../../shared/logger';
import { encodeExport, exportPorts } from '../../shared/wiring/reporting';
import { storage } from '../../shared/wiring/storage';

/**
 * `export.requested` -> the file in S3 and the job done (or failed, with the reason).
 * At least once in, one outcome out: a job no longer pending is left alone; the file is put under the job's
 * own key before the job is completed (a retry after a failed completion builds and overwrites the same
 * object); the completion is conditioned on the job still pending. What the parameters get wrong fails the
 * job at once; storage and table failures are thrown, for the bus to retry.
 */
export async function runRequestedExport(detail: { tenantId: string; exportId: string }): Promise<'done' | 'failed' | 'skipped'> {
  const ports = exportPorts();
  const job = await ports.jobs.get(detail.tenantId, detail.exportId);
  if (!job || job.status !== 'pending') {
    logger.info('export not pending; nothing to do', { exportId: detail.exportId, status: job?.status ?? 'missing' });
    return 'skipped';
  }
  let built: Awaited<ReturnType<typeof ExportJobs.build>>;
  try {
    built = await ExportJobs.build(ports, job);
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    await ports.jobs.complete(job, { status: 'failed', error: error.message });
    return 'failed';
  }
  const file = encodeExport(built, job.format);
  await storage().put(job.key, file.body, file.contentType);
  await ports.jobs.complete(job, { status: 'done' });
  return 'done';
}

export async function runExport(event: EventBridgeEvent<string, unknown>): Promise<void> {
  if (event['detail-type'] !== events.exportRequested.detailType) {
    logger.warn('unexpected event', { detailType: event['detail-type'] });
    return;
  }
  const detail = events.exportRequested.schema.parse(event.detail);
  logger.appendKeys({ tenantId: detail.tenantId, eventId: detail.eventId, exportId: detail.exportId });
  await runRequestedExport(detail);
}

export const handler = middy<EventBridgeEvent<string, unknown>, void>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(runExport);
