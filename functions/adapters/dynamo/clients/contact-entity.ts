import { Entity } from 'electrodb';
import { SERVICE, byIdIndex, lookupIndex, lookupKeyAttributes, ownedAttributes } from '../common';

export const ContactEntity = new Entity({
  model: { entity: 'contact', version: '1', service: SERVICE },
  attributes: {
    ...ownedAttributes,
    firstName: { type: 'string', required: true },
    lastName: { type: 'string', required: true },
    email: { type: 'string' },
    phone: { type: 'string' },
    /** The phone in E.164 (what SMS go to), beside the form the user typed. */
    phoneE164: { type: 'string' },
    companyId: { type: 'string', default: '' },
    address: { type: 'any' },
    taxId: { type: 'string' },
    responsibleUserId: { type: 'string' },
    locale: { type: 'string' },
    ...lookupKeyAttributes,
  },
  indexes: {
    byId: byIdIndex,
    byCompany: lookupIndex('gsi1', 'companyId'),
    byEmail: lookupIndex('gsi2', 'emailKey'),
    byPhone: lookupIndex('gsi3', 'phoneKey'),
  },
});
