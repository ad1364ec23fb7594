/**
 * Documents: the PDF renders of an invoice or a quote (rendered asynchronously by the Chromium function),
 * each with the public link that serves it. The record type is `Document.Info`.
 */
import type { PublicLink } from './public-link';
import { idOf, newToken } from './public-link';
import { BUILTIN_TEMPLATE_ID } from './template';

/** A document record: one render of an invoice or a quote, pending until the renderer completes it. */
export interface DocumentRecord {
  tenantId: string;
  id: string;
  subjectType: 'invoice' | 'quote';
  subjectId: string;
  templateId: string;
  /** pdf (default), or facturx: the PDF made PDF/A-3 with the invoice's CII XML embedded as factur-x.xml. */
  format?: DocumentFormat;
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

export const DOCUMENT_FORMATS = ['pdf', 'facturx'] as const;
export type DocumentFormat = (typeof DOCUMENT_FORMATS)[number];

/** Where a document's PDF is kept in the bucket. */
export function key(tenantId: string, subjectType: string, subjectId: string, documentId: string): string {
  return `tenant/${tenantId}/documents/${subjectType}/${subjectId}/${documentId}.pdf`;
}

export type { DocumentRecord as Info };

/**
 * What the API shows of a document: its presigned PDF URL (minutes) when ready, the staff's preview URL, and the
 * client's stable public URL, which is left out (`undefined`) for a caller who may not see the client's credential.
 */
export function view(doc: DocumentRecord, urls: { pdfUrl?: string; publicUrl?: string; previewUrl: string }) {
  return {
    id: doc.id,
    status: doc.status,
    subjectType: doc.subjectType,
    subjectId: doc.subjectId,
    templateId: doc.templateId,
    format: doc.format ?? 'pdf',
    sha256: doc.sha256 ?? null,
    size: doc.size ?? null,
    pages: doc.pages ?? null,
    reason: doc.reason,
    pdfUrl: doc.status === 'ready' ? (urls.pdfUrl ?? null) : null,
    ...(urls.publicUrl ? { publicUrl: urls.publicUrl } : {}),
    previewUrl: urls.previewUrl,
    createdBy: doc.createdBy,
    createdAt: doc.createdAt,
    updatedAt: doc.updatedAt,
  };
}

/** A document's public link works this long (an invoice is paid, disputed or audited within a year). */
export const PUBLIC_LINK_LIFETIME_DAYS = 400;

/** A new pending document of a subject and its public link (a new token), ready to be requested in one write. */
export function prepare(input: {
  tenantId: string;
  id: string;
  subjectType: 'invoice' | 'quote';
  subjectId: string;
  templateId?: string;
  format?: DocumentFormat;
  createdBy: string;
  cause?: DocumentRecord['cause'];
  now: string;
}): { doc: DocumentRecord; link: PublicLink } {
  const token = newToken();
  const doc: DocumentRecord = {
    tenantId: input.tenantId,
    id: input.id,
    subjectType: input.subjectType,
    subjectId: input.subjectId,
    templateId: input.templateId ?? BUILTIN_TEMPLATE_ID,
    ...(input.format && input.format !== 'pdf' ? { format: input.format } : {}),
    status: 'pending',
    s3Key: key(input.tenantId, input.subjectType, input.subjectId, input.id),
    token,
    createdBy: input.createdBy,
    cause: input.cause,
    version: 1,
    createdAt: input.now,
    updatedAt: input.now,
  };
  const link: PublicLink = {
    id: idOf(token),
    tenantId: input.tenantId,
    subjectType: input.subjectType,
    subjectId: input.subjectId,
    documentId: input.id,
    createdAt: input.now,
    expiresAt: new Date(Date.parse(input.now) + PUBLIC_LINK_LIFETIME_DAYS * 86_400_000).toISOString(),
  };
  return { doc, link };
}
