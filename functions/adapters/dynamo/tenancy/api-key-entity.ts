import { Entity } from 'electrodb';
import { SERVICE } from '../common';

/** An API key: found by its public key id (the secret is stored only as a SHA-256 hash). */
export const ApiKeyEntity = new Entity({
  model: { entity: 'apiKey', version: '1', service: SERVICE },
  attributes: {
    keyId: { type: 'string', required: true, readOnly: true },
    tenantId: { type: 'string', required: true, readOnly: true },
    userId: { type: 'string', required: true },
    userEmail: { type: 'string' },
    role: { type: ['admin', 'manager', 'accountant', 'viewer'] as const, required: true },
    name: { type: 'string', required: true },
    secretHash: { type: 'string', required: true, readOnly: true },
    createdAt: { type: 'string', required: true, readOnly: true },
    revokedAt: { type: 'string' },
  },
  indexes: {
    byKeyId: { pk: { field: 'pk', composite: ['keyId'] }, sk: { field: 'sk', composite: [] } },
    byTenant: {
      index: 'gsi1',
      pk: { field: 'gsi1pk', composite: ['tenantId'] },
      sk: { field: 'gsi1sk', composite: ['createdAt', 'keyId'] },
    },
  },
});
