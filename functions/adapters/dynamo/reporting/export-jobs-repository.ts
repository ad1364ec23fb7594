import { outboxEvent } from '../../../domain/kernel';
import type { ExportJob, ExportJobStore } from '../../../domain/reporting';
import type { CrmService } from '../service';
import { ExportJobEntity } from './export-job-entity';
import { OutboxEntity } from '../kernel/outbox-entity';
import { registerEntities } from '../entity-registry';

// the entities this module's reads and transactions use (a function loads only these: entity-registry.ts)
registerEntities({ exportJob: ExportJobEntity, outbox: OutboxEntity });

const toJob = (item: Record<string, unknown>): ExportJob => {
  const { tenantId, id, report, params, format, status, key, error, createdBy, createdAt, updatedAt, version } = item as unknown as ExportJob;
  return { tenantId, id, report, params, format, status, key, ...(error ? { error } : {}), createdBy, createdAt, updatedAt, version };
};

/** Export jobs: created with their `export.requested` event in one transaction; completed once (pending -> done | failed). */
export function exportJobsRepository(service: CrmService): ExportJobStore {
  const { exportJob } = service.entities;
  return {
    async create(job) {
      const result = await service.transaction
        .write(({ exportJob, outbox }) => [
          exportJob.create(job).commit(),
          outbox.create(outboxEvent('exportRequested', job.tenantId, { exportId: job.id, report: job.report })).commit(),
        ])
        .go();
      if (result.canceled) throw new Error(`export ${job.id} could not be created`);
    },
    async get(tenantId, id) {
      const { data } = await exportJob.get({ tenantId, id }).go();
      return data ? toJob(data as Record<string, unknown>) : null;
    },
    async complete(job, outcome) {
      try {
        await exportJob
          .patch({ tenantId: job.tenantId, id: job.id })
          .set({ ...outcome, version: job.version + 1, updatedAt: new Date().toISOString() })
          .where((a, { eq }) => eq(a.status, 'pending'))
          .go();
        return true;
      } catch (error) {
        if ((error as { cause?: { name?: string } }).cause?.name === 'ConditionalCheckFailedException' || /conditional/i.test(String(error))) return false;
        throw error;
      }
    },
  };
}
