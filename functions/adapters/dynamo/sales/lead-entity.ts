import { Entity } from 'electrodb';
import { SERVICE, byIdIndex, lookupIndex, ownedAttributes } from '../common';

/** A lead: a prospect moving through the tenant's lead pipeline until converted or dropped. */
export const LeadEntity = new Entity({
  model: { entity: 'lead', version: '1', service: SERVICE },
  attributes: {
    ...ownedAttributes,
    title: { type: 'string', required: true },
    contact: { type: 'any', required: true },
    company: { type: 'any' },
    city: { type: 'string' },
    topic: { type: 'string' },
    stage: { type: 'string', required: true },
    status: { type: ['open', 'converted', 'junk'] as const, required: true },
    responsibleUserId: { type: 'string' },
    links: { type: 'any' },
    convertedAt: { type: 'string' },
    closedAt: { type: 'string' },
  },
  indexes: {
    byId: byIdIndex,
    byStage: lookupIndex('gsi1', 'stage'),
  },
});
