/**
 * Public links: stable opaque tokens (192 random bits) that a client opens without an account: a document's
 * PDF, or a quote's page. Our endpoint serves them (and counts views); the PDF itself is a presigned URL
 * minted per request.
 *
 * A link is stored under its id, the SHA-256 of its token (base64url), never under the token itself:
 *  - look-ups are exact: the id of a token that differs only in letter case is another id (the stored key is
 *    not case-folded), so a token is only ever its own credential;
 *  - the id is the staff's preview credential (`/p/preview/{id}`): it shows what the client sees, records no
 *    view and accepts nothing, and the token cannot be derived from it. Viewers get only that.
 */
import { createHash, randomBytes } from 'node:crypto';

export interface PublicLink {
  /** SHA-256 of the token, base64url (43 characters). */
  id: string;
  tenantId: string;
  subjectType: 'invoice' | 'quote';
  subjectId: string;
  documentId?: string;
  createdAt: string;
  expiresAt?: string;
  revokedAt?: string;
  views?: number;
  opens?: number;
  /** Opens of the e-mail pixel that are not evidence of a person (see email-opens.ts). */
  unverifiedOpens?: number;
  lastViewedAt?: string;
}

/** A new public token: 24 random bytes (192 bits), base64url (32 characters). The one token rule of documents and quotes. */
export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

export const isWellFormedToken = (token: string) => /^[A-Za-z0-9_-]{32}$/.test(token);

/** The id a token's link is stored under (and the staff's preview credential): SHA-256, base64url. */
export function idOf(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('base64url');
}

export const isWellFormedId = (id: string) => /^[A-Za-z0-9_-]{43}$/.test(id);

/** The client's URL of a token: the credential itself (never shown to viewers). */
export function publicUrl(baseUrl: string, token: string): string {
  return `${baseUrl.replace(/\/$/, '')}/p/${token}`;
}

/** The staff's preview URL of a token: the same page or PDF, nothing recorded, nothing accepted. */
export function previewUrl(baseUrl: string, token: string): string {
  return `${baseUrl.replace(/\/$/, '')}/p/preview/${idOf(token)}`;
}

/** Is a public link usable now? Unknown, revoked and expired links all look the same from outside. */
export function usable(link: PublicLink | null, now: string): link is PublicLink {
  return Boolean(link && !link.revokedAt && (!link.expiresAt || link.expiresAt > now));
}
