import type { EntityItem } from 'electrodb';
import { Conflict, staleVersion, type EntityKind, type PipelineSettings, type PipelineStore, type Stage } from '../../../domain/kernel';
import { defined } from '../helpers';
import { isConditionFailure } from '../errors';
import type { CrmService } from '../service';
import { PipelineConfigEntity } from './pipeline-config-entity';
import { registerEntities } from '../entity-registry';

// the entities this module's reads and transactions use (a function loads only these: entity-registry.ts)
registerEntities({ pipelineConfig: PipelineConfigEntity });

/** Tenants' pipelines (one item per tenant and entity kind: invoice, lead, deal), version-conditioned. */
export function pipelinesRepository(service: CrmService): PipelineStore {
  const entity = service.entities.pipelineConfig;
  const fromRecord = (r: EntityItem<typeof PipelineConfigEntity>): PipelineSettings =>
    defined({
      tenantId: r.tenantId,
      kind: r.kind as EntityKind,
      stages: r.stages as Stage[],
      numbering: r.numbering as PipelineSettings['numbering'],
      version: r.version,
      updatedAt: r.updatedAt,
      updatedBy: r.updatedBy,
    });
  return {
    async get(tenantId: string, kind: EntityKind) {
      const { data } = await entity.get({ tenantId, kind }).go({ consistent: true });
      return data ? fromRecord(data) : null;
    },
    async save(settings, expectedVersion) {
      // both pipeline verbs stamp updatedAt; the item requires it
      const record = { ...defined({ ...settings }), updatedAt: settings.updatedAt ?? new Date().toISOString() };
      try {
        if (expectedVersion === 0) await entity.create(record).go();
        else
          await entity
            .put(record)
            .where((a, { eq }) => eq(a.version, expectedVersion))
            .go();
        return settings;
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
        const current = await this.get(settings.tenantId, settings.kind);
        throw current ? staleVersion(expectedVersion, current.version) : new Conflict('the pipeline changed meanwhile; read it again');
      }
    },
  };
}
