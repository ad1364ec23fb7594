import { Entity } from 'electrodb';
import { SERVICE } from '../common';

/**
 * A timeline entry of any subject (invoice, quote, deal...): one partition per subject, oldest first.
 * See functions/domain/kernel/timeline.ts for the shape and the helper that builds entries.
 */
export const TimelineEntity = new Entity({
  model: { entity: 'timeline', version: '1', service: SERVICE },
  attributes: {
    tenantId: { type: 'string', required: true, readOnly: true },
    id: { type: 'string', required: true, readOnly: true },
    subjectType: { type: 'string', required: true, readOnly: true },
    subjectId: { type: 'string', required: true, readOnly: true },
    kind: { type: 'string', required: true, readOnly: true },
    at: { type: 'string', required: true, readOnly: true },
    actor: { type: 'any', required: true, readOnly: true },
    data: { type: 'any', required: true, readOnly: true },
  },
  indexes: {
    bySubject: {
      pk: { field: 'pk', composite: ['tenantId', 'subjectId'] },
      sk: { field: 'sk', composite: ['at', 'id'] },
    },
  },
});
