import type { Attribute } from 'electrodb';

/** The attributes every tenant-owned record carries. */
export const ownedAttributes = {
  tenantId: { type: 'string', required: true, readOnly: true },
  id: { type: 'string', required: true, readOnly: true },
  version: { type: 'number', required: true, default: 1 },
  createdAt: { type: 'string', required: true, readOnly: true },
  updatedAt: { type: 'string', required: true },
} as const satisfies Record<string, Attribute>;

/** Primary index of a tenant-owned record: every key starts with the tenant. */
export const byIdIndex = {
  pk: { field: 'pk', composite: ['tenantId'] },
  sk: { field: 'sk', composite: ['id'] },
} as const;

export const SERVICE = 'crm';

/** Records about one subject (an invoice, a quote), oldest first: documents, messages, runs. */
export const bySubjectIndex = {
  index: 'gsi1',
  pk: { field: 'gsi1pk', composite: ['tenantId', 'subjectId'] },
  sk: { field: 'gsi1sk', composite: ['createdAt', 'id'] },
} as const;

/** A lookup by one tenant-scoped attribute on a generic GSI (duplicate detection by e-mail, phone, tax id). */
export function lookupIndex<const G extends 'gsi1' | 'gsi2' | 'gsi3' | 'gsi4', const A extends string>(index: G, attribute: A) {
  return {
    index,
    pk: { field: `${index}pk` as const, composite: ['tenantId', attribute] as ['tenantId', A] },
    sk: { field: `${index}sk` as const, composite: ['id'] as ['id'] },
  };
}

/** Normalized keys for duplicate detection; '' keeps a record out of that index. */
export const lookupKeyAttributes = {
  emailKey: { type: 'string', default: '' },
  phoneKey: { type: 'string', default: '' },
} as const satisfies Record<string, Attribute>;
