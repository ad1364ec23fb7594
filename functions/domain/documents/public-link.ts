/**
 * Public links: stable opaque tokens (192 random bits) that a client opens without an account: a document's
 * PDF, or a quote's page. Our endpoint serves them (and counts views); the PDF itself is a presigned URL
 * minted per request.
 */
import { randomBytes } from 'node:crypto';

export interface PublicLink {
  token: string;
  tenantId: string;
  subjectType: 'invoice' | 'quote';
  subjectId: string;
  documentId?: string;
  createdAt: string;
  expiresAt?: string;
  revokedAt?: string;
  views?: number;
  opens?: number;
  lastViewedAt?: string;
}

/** A new public token: 24 random bytes (192 bits), base64url (32 characters). The one token rule of documents and quotes. */
export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

export const isWellFormedToken = (token: string) => /^[A-Za-z0-9_-]{32}$/.test(token);

/** Is a public link usable now? Unknown, revoked and expired links all look the same from outside. */
export function usable(link: PublicLink | null, now: string): link is PublicLink {
  return Boolean(link && !link.revokedAt && (!link.expiresAt || link.expiresAt > now));
}
