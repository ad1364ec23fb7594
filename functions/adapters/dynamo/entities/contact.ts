import { Entity } from 'electrodb';
import { SERVICE, byIdIndex, ownedAttributes } from './common';

export const ContactEntity = new Entity({
  model: { entity: 'contact', version: '1', service: SERVICE },
  attributes: {
    ...ownedAttributes,
    firstName: { type: 'string', required: true },
    lastName: { type: 'string', required: true },
    email: { type: 'string' },
    phone: { type: 'string' },
    companyId: { type: 'string', default: '' },
    address: { type: 'any' },
    taxId: { type: 'string' },
    responsibleUserId: { type: 'string' },
    emailKey: { type: 'string', default: '' },
    phoneKey: { type: 'string', default: '' },
  },
  indexes: {
    byId: byIdIndex,
    byCompany: {
      index: 'gsi1',
      pk: { field: 'gsi1pk', composite: ['tenantId', 'companyId'] },
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
