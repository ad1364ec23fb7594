import { Entity } from 'electrodb';
import { SERVICE } from '../common';

/**
 * A domain event waiting to leave through the table's stream. It is written in the same
 * transaction as the state change it describes, so an event exists iff the change committed.
 * The stream (INSERT of an outbox record) is read by publish-events; TTL removes it after a week.
 */
export const OutboxEntity = new Entity({
  model: { entity: 'outbox', version: '1', service: SERVICE },
  attributes: {
    tenantId: { type: 'string', required: true, readOnly: true },
    eventId: { type: 'string', required: true, readOnly: true },
    detailType: { type: 'string', required: true, readOnly: true },
    detail: { type: 'any', required: true, readOnly: true },
    createdAt: { type: 'string', required: true, readOnly: true },
    ttl: { type: 'number', required: true, readOnly: true },
  },
  indexes: {
    byId: { pk: { field: 'pk', composite: ['tenantId'] }, sk: { field: 'sk', composite: ['eventId'] } },
  },
});
