import { Entity } from 'electrodb';
import { SERVICE } from '../common';

/** A public link: the opaque token is the whole credential (>= 128 random bits), found without a tenant. */
export const PublicLinkEntity = new Entity({
  model: { entity: 'publicLink', version: '1', service: SERVICE },
  attributes: {
    token: { type: 'string', required: true, readOnly: true },
    tenantId: { type: 'string', required: true, readOnly: true },
    subjectType: { type: ['invoice', 'quote'] as const, required: true },
    subjectId: { type: 'string', required: true },
    documentId: { type: 'string' },
    createdAt: { type: 'string', required: true, readOnly: true },
    expiresAt: { type: 'string' },
    revokedAt: { type: 'string' },
    views: { type: 'number', default: 0 },
    opens: { type: 'number', default: 0 },
    lastViewedAt: { type: 'string' },
    /** When a view / an open last produced an event (they are throttled per link). */
    lastViewEventAt: { type: 'string' },
    lastOpenEventAt: { type: 'string' },
  },
  indexes: {
    byToken: { pk: { field: 'pk', composite: ['token'] }, sk: { field: 'sk', composite: [] } },
  },
});
