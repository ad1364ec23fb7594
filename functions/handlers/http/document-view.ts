import { Document, PublicLink, type DocumentRecord } from '../../domain/documents';
import { Permissions } from '../../domain/tenancy';
import { config } from '../../shared/config';
import type { Caller } from '../../shared/http/route';
import { storage } from '../../shared/wiring/storage';

/** Whether the caller may see the client's public links (their credential): not viewers (Permissions, `links:read`). */
export const seesClientLinks = (caller: Caller) => Permissions.can(caller.role, 'links:read');

/**
 * A document as the caller may see it (invoice and quote documents alike): a presigned PDF URL when ready, the
 * staff's preview URL, and the client's public URL only for callers who may hold it.
 */
export async function documentView(doc: DocumentRecord, caller: Caller) {
  const pdfUrl = doc.status === 'ready' ? await storage().presignGet(doc.s3Key, { contentType: 'application/pdf' }) : undefined;
  const base = config().PUBLIC_BASE_URL;
  return Document.view(doc, {
    pdfUrl,
    publicUrl: seesClientLinks(caller) ? PublicLink.publicUrl(base, doc.token) : undefined,
    previewUrl: PublicLink.previewUrl(base, doc.token),
  });
}
