import { Entity } from 'electrodb';
import { SERVICE, byIdIndex, ownedAttributes } from '../common';

/** A tenant's document template: metadata here, the source of each version in S3 (`s3Key`). */
export const TemplateEntity = new Entity({
  model: { entity: 'template', version: '1', service: SERVICE },
  attributes: {
    ...ownedAttributes,
    name: { type: 'string', required: true },
    kind: { type: ['invoice', 'quote', 'credit_note'] as const, required: true },
    s3Key: { type: 'string', required: true },
    size: { type: 'number', required: true },
    sha256: { type: 'string', required: true },
    createdBy: { type: 'string', required: true },
    updatedBy: { type: 'string', required: true },
  },
  indexes: {
    byId: byIdIndex,
  },
});
