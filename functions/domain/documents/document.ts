import { randomBytes } from 'node:crypto';

/** Records of the document pipeline, as plain data. */
export interface DocumentRecord {
  tenantId: string;
  id: string;
  subjectType: 'invoice' | 'quote';
  subjectId: string;
  templateId: string;
  status: 'pending' | 'ready' | 'failed';
  reason?: string;
  s3Key: string;
  sha256?: string;
  size?: number;
  pages?: number;
  token: string;
  createdBy: string;
  cause?: { runId: string; actionIndex: number };
  version: number;
  createdAt: string;
  updatedAt: string;
}

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

export interface MessageRecord {
  tenantId: string;
  id: string;
  subjectType: 'invoice' | 'quote';
  subjectId: string;
  channel: 'email' | 'sms';
  to: string;
  status: 'sending' | 'sent' | 'failed';
  providerMessageId?: string;
  documentId?: string;
  subject?: string;
  error?: string;
  createdBy?: string;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export const BUILTIN_TEMPLATE_ID = 'standard';

/** An unguessable public token: 192 random bits, URL-safe. */
export function newPublicToken(): string {
  return randomBytes(24).toString('base64url');
}

export const isWellFormedToken = (token: string) => /^[A-Za-z0-9_-]{32}$/.test(token);

export function documentKey(tenantId: string, subjectType: string, subjectId: string, documentId: string): string {
  return `tenant/${tenantId}/documents/${subjectType}/${subjectId}/${documentId}.pdf`;
}

/** Is a public link usable now? Unknown, revoked and expired links all look the same from outside. */
export function linkUsable(link: PublicLink | null, now: string): link is PublicLink {
  return Boolean(link && !link.revokedAt && (!link.expiresAt || link.expiresAt > now));
}

export function publicDocumentView(doc: DocumentRecord, urls: { pdfUrl?: string; publicUrl: string }) {
  return {
    id: doc.id,
    status: doc.status,
    subjectType: doc.subjectType,
    subjectId: doc.subjectId,
    templateId: doc.templateId,
    sha256: doc.sha256 ?? null,
    size: doc.size ?? null,
    pages: doc.pages ?? null,
    reason: doc.reason,
    pdfUrl: doc.status === 'ready' ? urls.pdfUrl ?? null : null,
    publicUrl: urls.publicUrl,
    createdBy: doc.createdBy,
    createdAt: doc.createdAt,
    updatedAt: doc.updatedAt,
  };
}
