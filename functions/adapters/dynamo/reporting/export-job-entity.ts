import { Entity } from 'electrodb';
import { SERVICE, byIdIndex, ownedAttributes } from '../common';

/** An export job (a report of a large period built in the background) and where its file is. */
export const ExportJobEntity = new Entity({
  model: { entity: 'exportJob', version: '1', service: SERVICE },
  attributes: {
    ...ownedAttributes,
    report: { type: 'string', required: true },
    params: { type: 'any', required: true },
    format: { type: ['csv', 'xlsx', 'json'] as const, required: true },
    status: { type: ['pending', 'done', 'failed'] as const, required: true },
    key: { type: 'string', required: true },
    error: { type: 'string' },
    createdBy: { type: 'string', required: true },
  },
  indexes: {
    byId: byIdIndex,
  },
});
