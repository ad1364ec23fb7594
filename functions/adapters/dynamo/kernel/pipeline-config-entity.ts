import { Entity } from 'electrodb';
import { SERVICE } from '../common';

/** A tenant's pipeline of one entity kind (invoice, lead, deal), with the invoice number formats. */
export const PipelineConfigEntity = new Entity({
  model: { entity: 'pipelineConfig', version: '1', service: SERVICE },
  attributes: {
    tenantId: { type: 'string', required: true, readOnly: true },
    kind: { type: 'string', required: true, readOnly: true },
    stages: { type: 'any', required: true },
    numbering: { type: 'any' },
    version: { type: 'number', required: true },
    updatedAt: { type: 'string', required: true },
    updatedBy: { type: 'string' },
  },
  indexes: {
    byKind: { pk: { field: 'pk', composite: ['tenantId'] }, sk: { field: 'sk', composite: ['kind'] } },
  },
});
