import { Entity } from 'electrodb';
import { SERVICE } from '../common';

export const TenantEntity = new Entity({
  model: { entity: 'tenant', version: '1', service: SERVICE },
  attributes: {
    tenantId: { type: 'string', required: true, readOnly: true },
    name: { type: 'string', required: true },
    settings: { type: 'any' },
    version: { type: 'number', required: true, default: 1 },
    createdAt: { type: 'string', required: true, readOnly: true },
    updatedAt: { type: 'string', required: true },
  },
  indexes: {
    byId: { pk: { field: 'pk', composite: ['tenantId'] }, sk: { field: 'sk', composite: [] } },
    /** Every tenant, one query: what the daily jobs (overdue, reminders) walk. */
    all: { index: 'gsi1', pk: { field: 'gsi1pk', composite: [] }, sk: { field: 'gsi1sk', composite: ['tenantId'] } },
  },
});
