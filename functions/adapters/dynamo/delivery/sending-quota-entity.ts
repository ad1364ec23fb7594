import { Entity } from 'electrodb';
import { SERVICE } from '../common';

/**
 * A tenant's daily sending count per channel (`key` = `email#2026-12-01`, `count`), and one marker per message
 * counted (`key` = `email#2026-12-01#msg_...`): the marker's conditional put and the count's conditional ADD go
 * in one transaction, so a message is counted once however often it is claimed, and never past the limit.
 */
export const SendingQuotaEntity = new Entity({
  model: { entity: 'sendingQuota', version: '1', service: SERVICE },
  attributes: {
    tenantId: { type: 'string', required: true, readOnly: true },
    key: { type: 'string', required: true, readOnly: true },
    count: { type: 'number' },
    updatedAt: { type: 'string', required: true },
  },
  indexes: {
    byId: { pk: { field: 'pk', composite: ['tenantId'] }, sk: { field: 'sk', composite: ['key'] } },
  },
});
