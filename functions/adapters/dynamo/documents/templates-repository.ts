import type { CrudRepository } from '../../../domain/kernel';
import type { TemplateRecord } from '../../../domain/documents';
import { crudRepository } from '../crud-repository';
import type { CrmService } from '../service';
import { TemplateEntity } from './template-entity';
import { registerEntities } from '../entity-registry';

// the entities this module's reads and transactions use (a function loads only these: entity-registry.ts)
registerEntities({ template: TemplateEntity });

/**
 * Template metadata: create, read, list (newest first), update and delete with optimistic concurrency
 * (a stale version is a Conflict). The sources live in S3 under the key each version records.
 */
export function templatesRepository(service: CrmService): CrudRepository<TemplateRecord> {
  return crudRepository<TemplateRecord>(service.entities.template, 'template');
}

export type TemplatesRepository = ReturnType<typeof templatesRepository>;
