import { Entity } from 'electrodb';
import { SERVICE, byIdIndex, lookupIndex, lookupKeyAttributes, ownedAttributes } from '../common';

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
    /** The phone in E.164 (what SMS go to), beside the form the user typed. */
    phoneE164: { type: 'string' },
    address: { type: 'any', required: true },
    bankAccount: { type: 'any' },
    responsibleUserId: { type: 'string' },
    locale: { type: 'string' },
    taxIdKey: { type: 'string', default: '' },
    ...lookupKeyAttributes,
  },
  indexes: {
    byId: byIdIndex,
    byTaxId: lookupIndex('gsi1', 'taxIdKey'),
    byEmail: lookupIndex('gsi2', 'emailKey'),
    byPhone: lookupIndex('gsi3', 'phoneKey'),
  },
});
