import { Entity } from 'electrodb';
import { SERVICE, byIdIndex, ownedAttributes } from '../common';

export const ProductEntity = new Entity({
  model: { entity: 'product', version: '1', service: SERVICE },
  attributes: {
    ...ownedAttributes,
    name: { type: 'string', required: true },
    description: { type: 'string' },
    unitPrice: { type: 'string', required: true },
    currency: { type: 'string', required: true },
    taxRate: { type: 'string', required: true },
    unit: { type: 'string' },
    sku: { type: 'string' },
  },
  indexes: { byId: byIdIndex },
});
