import { Entity } from 'electrodb';
import { SERVICE, byIdIndex, ownedAttributes } from './common';

export const CompanyEntity = new Entity({
  model: { entity: 'company', version: '1', service: SERVICE },
  attributes: {
    ...ownedAttributes,
    name: { type: 'string', required: true },
    legalName: { type: 'string' },
    legalForm: { type: 'string' },
    taxId: { type: 'string' },
    email: { type: 'string' },
    phone: { type: 'string' },
    address: { type: 'any', required: true },
    bankAccount: { type: 'any' },
    responsibleUserId: { type: 'string' },
    // normalized keys for duplicate detection (lead conversion); '' keeps a record out of that index
    taxIdKey: { type: 'string', default: '' },
    emailKey: { type: 'string', default: '' },
    phoneKey: { type: 'string', default: '' },
  },
  indexes: {
    byId: byIdIndex,
    byTaxId: {
      index: 'gsi1',
      pk: { field: 'gsi1pk', composite: ['tenantId', 'taxIdKey'] },
      sk: { field: 'gsi1sk', composite: ['id'] },
    },
    byEmail: {
      index: 'gsi2',
      pk: { field: 'gsi2pk', composite: ['tenantId', 'emailKey'] },
      sk: { field: 'gsi2sk', composite: ['id'] },
    },
    byPhone: {
      index: 'gsi3',
      pk: { field: 'gsi3pk', composite: ['tenantId', 'phoneKey'] },
      sk: { field: 'gsi3sk', composite: ['id'] },
    },
  },
});
