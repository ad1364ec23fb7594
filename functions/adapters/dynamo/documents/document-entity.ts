import { Entity } from 'electrodb';
import { SERVICE, byIdIndex, bySubjectIndex, ownedAttributes } from '../common';

/** A rendered (or pending) PDF of an invoice or quote. Every render is its own document. */
export const DocumentEntity = new Entity({
  model: { entity: 'document', version: '1', service: SERVICE },
  attributes: {
    ...ownedAttributes,
    subjectType: { type: ['invoice', 'quote'] as const, required: true },
    subjectId: { type: 'string', required: true },
    templateId: { type: 'string', required: true },
    /** Absent: pdf. facturx: a PDF/A-3 carrying the invoice's CII XML. */
    format: { type: ['pdf', 'facturx'] as const },
    status: { type: ['pending', 'ready', 'failed'] as const, required: true },
    reason: { type: 'string' },
    s3Key: { type: 'string', required: true },
    sha256: { type: 'string' },
    size: { type: 'number' },
    pages: { type: 'number' },
    token: { type: 'string', required: true },
    createdBy: { type: 'string', required: true },
    cause: { type: 'any' },
  },
  indexes: {
    byId: byIdIndex,
    bySubject: bySubjectIndex,
  },
});
