import { Entity } from 'electrodb';
import { SERVICE } from '../common';

/**
 * A public link, found without a tenant by its id: the SHA-256 of its token (base64url), never the token itself.
 * The keys are not case-folded (`casing: 'none'`): an id that differs in letter case is another key, so a token
 * matches only itself.
 *
 * Version 2. Version 1 was keyed by the token, lower-cased by ElectroDB's default key casing, which made look-ups
 * case-insensitive; infra/scripts/migrate-public-links.ts copies version 1 items to version 2 (README, "Public
 * links: migration").
 */
export const PublicLinkEntity = new Entity({
  model: { entity: 'publicLink', version: '2', service: SERVICE },
  attributes: {
    id: { type: 'string', required: true, readOnly: true },
    tenantId: { type: 'string', required: true, readOnly: true },
    subjectType: { type: ['invoice', 'quote'] as const, required: true },
    subjectId: { type: 'string', required: true },
    documentId: { type: 'string' },
    createdAt: { type: 'string', required: true, readOnly: true },
    expiresAt: { type: 'string' },
    revokedAt: { type: 'string' },
    views: { type: 'number', default: 0 },
    opens: { type: 'number', default: 0 },
    unverifiedOpens: { type: 'number', default: 0 },
    lastViewedAt: { type: 'string' },
    /** When a view / an open / an unverified open last produced a timeline entry (they are throttled per link). */
    lastViewEventAt: { type: 'string' },
    lastOpenEventAt: { type: 'string' },
    lastUnverifiedOpenAt: { type: 'string' },
  },
  indexes: {
    byId: { pk: { field: 'pk', composite: ['id'], casing: 'none' }, sk: { field: 'sk', composite: [], casing: 'none' } },
    /** Every link of an invoice or a quote (to revoke them all at once). */
    bySubject: {
      index: 'gsi1',
      pk: { field: 'gsi1pk', composite: ['tenantId', 'subjectId'] },
      sk: { field: 'gsi1sk', composite: ['createdAt', 'id'], casing: 'none' },
    },
  },
});
