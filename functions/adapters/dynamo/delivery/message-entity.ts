import { Entity } from 'electrodb';
import { SERVICE, byIdIndex, bySubjectIndex, ownedAttributes } from '../common';

/**
 * An e-mail or SMS to a client. SES and SNS have no idempotency key, so "sent once" is this
 * record's job: its id derives from the cause, it is claimed with a conditional put (and a lease)
 * before the provider is called; only an interrupted claim whose lease expired is sent again, with
 * the same Message-ID (domain/delivery/sending.ts).
 */
export const MessageEntity = new Entity({
  model: { entity: 'message', version: '1', service: SERVICE },
  attributes: {
    ...ownedAttributes,
    subjectType: { type: ['invoice', 'quote'] as const, required: true },
    subjectId: { type: 'string', required: true },
    channel: { type: ['email', 'sms'] as const, required: true },
    to: { type: 'string', required: true },
    status: { type: ['sending', 'sent', 'failed'] as const, required: true },
    providerMessageId: { type: 'string' },
    documentId: { type: 'string' },
    subject: { type: 'string' },
    error: { type: 'string' },
    createdBy: { type: 'string' },
    runId: { type: 'string' },
    stepIndex: { type: 'number' },
    leaseUntil: { type: 'string' },
    attempts: { type: 'number' },
    rfcMessageId: { type: 'string' },
  },
  indexes: {
    byId: byIdIndex,
    bySubject: bySubjectIndex,
  },
});
