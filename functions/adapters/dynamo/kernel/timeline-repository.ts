import { createConversions, type EntityItem } from 'electrodb';
import { InvalidInput } from '../../../domain/kernel';
import type { Page, PageRequest } from '../../../domain/kernel';
import type { TimelineEntry, TimelineStore } from '../../../domain/kernel';
import { isInvalidCursor } from '../errors';
import type { CrmService } from '../service';
import { TimelineEntity } from './timeline-entity';
import { registerEntities } from '../entity-registry';

// the entities this module's reads and transactions use (a function loads only these: entity-registry.ts)
registerEntities({ timeline: TimelineEntity });

/** A stored timeline entry as the domain sees it. */
export function fromTimelineRecord(record: EntityItem<typeof TimelineEntity>): TimelineEntry {
  const { tenantId, id, subjectType, subjectId, kind, at, actor, data } = record;
  return { tenantId, id, subjectType, subjectId, kind, at, actor: actor as TimelineEntry['actor'], data: (data as TimelineEntry['data']) ?? {} };
}

/**
 * Timeline entries of any subject. Inside a transaction, write an entry with
 * `service.entities.timeline.create(timelineEntry({...})).commit()`; outside one, with `append`.
 */
export function timelineRepository(service: CrmService): TimelineStore {
  const { timeline } = service.entities;
  const conversions = createConversions(timeline);
  return {
    async append(entry) {
      await timeline.create(entry).go();
    },
    async list(tenantId: string, subjectId: string, page: PageRequest): Promise<Page<TimelineEntry>> {
      try {
        const result = await timeline.query
          .bySubject({ tenantId, subjectId })
          .go({ order: 'asc', count: page.limit + 1, limit: page.limit + 1, cursor: page.cursor ?? null });
        const rows = result.data;
        const more = rows.length > page.limit;
        const data = rows.slice(0, page.limit);
        return {
          data: data.map(fromTimelineRecord),
          nextCursor: more ? conversions.byAccessPattern.bySubject.fromComposite.toCursor(data[data.length - 1]) : null,
        };
      } catch (error) {
        if (isInvalidCursor(error)) throw new InvalidInput('the cursor is not valid', [{ field: 'cursor', message: 'invalid' }]);
        throw error;
      }
    },
  };
}
