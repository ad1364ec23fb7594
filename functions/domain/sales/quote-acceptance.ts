/**
 * The client's side of a quote: accepting it on the public page (validated, with evidence), and what
 * follows an acceptance: the invoice made from the quote, once, optionally moved on so that it goes out
 * by itself (automation rule `{ entity: 'quote', stage: 'ACCEPTED', actions: [{ type: 'create_invoice' }] }`).
 *
 * Plain functions over ports: storage, the quote store, the documents and the transaction come in.
 */
import { createHash } from 'node:crypto';
import { quoteAccepted } from '../../../events/quote-accepted';
import type { DocumentRecord } from '../documents';
import { Invoice, type InvoicePorts } from '../invoicing';
import {
  addDays,
  Conflict,
  type DomainError,
  NotFound,
  pendingEvent,
  RuleViolation,
  timelineEntry,
  today,
  type Command,
  type FieldError,
  type ItemQuery,
  type ObjectStorage,
  type PendingEvent,
  type TimelineEntry,
} from '../kernel';
import { existingInvoiceOf } from './invoice-source';
import { acceptanceRefusal, type Quote, type QuoteAcceptance } from './quote';

// ---------------------------------------------------------------------------------------------------
// What the client sends

export const SIGNER_NAME_MIN = 2;
export const SIGNER_NAME_MAX = 200;
/** The largest drawn signature accepted (decoded PNG bytes). */
export const MAX_SIGNATURE_BYTES = 200 * 1024;
/** The largest width or height of a drawn signature, in pixels. */
export const MAX_SIGNATURE_SIDE = 4096;

const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const PNG_DATA_URL = /^data:image\/png;base64,([A-Za-z0-9+/]*={0,2})$/;
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** What the accept form (or a JSON client) posts; loosely typed: urlencoded forms carry strings only. */
export interface AcceptanceInput {
  signerName?: unknown;
  /** A data:image/png;base64 URL of the drawn signature; absent or '' for a typed signature. */
  signature?: unknown;
  consent?: unknown;
  /** The document the page showed (a hidden field of the form). */
  documentId?: unknown;
}

export interface ValidAcceptance {
  signerName: string;
  signature: Buffer | null;
  documentId?: string;
}

/** A drawn signature as PNG bytes, or why it is refused. Checks the data-URL form, the size and the PNG header. */
export function decodeSignature(value: string): { png: Buffer } | { error: string } {
  if (value.length > Math.ceil(MAX_SIGNATURE_BYTES / 3) * 4 + 64) return { error: `must be at most ${MAX_SIGNATURE_BYTES / 1024} KB` };
  const match = PNG_DATA_URL.exec(value.trim());
  if (!match) return { error: 'must be a data:image/png;base64,... URL' };
  const png = Buffer.from(match[1]!, 'base64');
  if (png.length > MAX_SIGNATURE_BYTES) return { error: `must be at most ${MAX_SIGNATURE_BYTES / 1024} KB` };
  // signature, then the IHDR chunk first (length 13): width and height
  if (png.length < 33 || !png.subarray(0, 8).equals(PNG_MAGIC) || png.readUInt32BE(8) !== 13 || png.toString('latin1', 12, 16) !== 'IHDR') {
    return { error: 'is not a PNG image' };
  }
  const width = png.readUInt32BE(16);
  const height = png.readUInt32BE(20);
  if (width < 1 || height < 1 || width > MAX_SIGNATURE_SIDE || height > MAX_SIGNATURE_SIDE) {
    return { error: `the image must be between 1 and ${MAX_SIGNATURE_SIDE} pixels wide and high` };
  }
  return { png };
}

const CONSENTED = new Set(['true', 'on', 'yes', '1']);

/** Checks what the client posted; every problem is reported at once (422). */
export function validate(input: AcceptanceInput): ValidAcceptance {
  const errors: FieldError[] = [];
  const rawName = typeof input.signerName === 'string' ? input.signerName : '';
  const signerName = rawName.normalize('NFC').replace(/\s+/g, ' ').trim();
  if ([...signerName].length < SIGNER_NAME_MIN || [...signerName].length > SIGNER_NAME_MAX) {
    errors.push({ field: 'signerName', message: `type your full name (${SIGNER_NAME_MIN} to ${SIGNER_NAME_MAX} characters)` });
  } else if (CONTROL.test(rawName.replace(/[\t\r\n]/g, ' '))) {
    errors.push({ field: 'signerName', message: 'must not contain control characters' });
  }
  const consent = input.consent === true || (typeof input.consent === 'string' && CONSENTED.has(input.consent.trim().toLowerCase()));
  if (!consent) errors.push({ field: 'consent', message: "tick the box to agree to the quote's terms" });
  let signature: Buffer | null = null;
  if (input.signature !== undefined && input.signature !== null && input.signature !== '') {
    if (typeof input.signature !== 'string') {
      errors.push({ field: 'signature', message: 'must be a data:image/png;base64,... URL' });
    } else {
      const decoded = decodeSignature(input.signature);
      if ('error' in decoded) errors.push({ field: 'signature', message: decoded.error });
      else signature = decoded.png;
    }
  }
  const documentId = typeof input.documentId === 'string' && /^doc_[0-9a-z]{26}$/.test(input.documentId) ? input.documentId : undefined;
  if (errors.length > 0) throw new RuleViolation('the acceptance is not complete', errors);
  return { signerName, signature, ...(documentId ? { documentId } : {}) };
}

export const sha256Hex = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Where a drawn signature is kept: content-addressed under the quote. */
export function signatureKey(tenantId: string, quoteId: string, sha256: string): string {
  return `tenant/${tenantId}/quotes/${quoteId}/signature-${sha256.slice(0, 8)}.png`;
}

// ---------------------------------------------------------------------------------------------------
// Accepting

/** The one write of an acceptance: quote (only if still sent, not accepted and not past its validity), event, timeline. */
export interface AcceptancePlan {
  tenantId: string;
  quoteId: string;
  /** Today (UTC): the quote must be valid until this day or later. */
  day: string;
  acceptedAt: string;
  acceptance: QuoteAcceptance;
  events: PendingEvent[];
  timeline: TimelineEntry[];
}

export interface AcceptancePorts {
  quotes: { get(tenantId: string, id: string): Promise<Quote | null> };
  documents: {
    get(tenantId: string, id: string): Promise<DocumentRecord | null>;
    latestReady(tenantId: string, subjectId: string): Promise<DocumentRecord | null>;
  };
  storage: Pick<ObjectStorage, 'put'>;
  /** 'refused' when the quote is no longer acceptable (accepted, declined, expired, changed): nothing written. */
  commitAcceptance(plan: AcceptancePlan): Promise<'ok' | 'refused'>;
  now?: () => Date;
}

/**
 * The quote document a client is shown: `preferredId` when it is a ready document of this quote (the one
 * the e-mail linked to, or the one the page offered), else the latest ready one; null when none is ready.
 */
export async function shownDocument(
  ports: Pick<AcceptancePorts, 'documents'>,
  quote: Pick<Quote, 'tenantId' | 'id'>,
  preferredId?: string,
): Promise<DocumentRecord | null> {
  if (preferredId) {
    const doc = await ports.documents.get(quote.tenantId, preferredId);
    if (doc && showable(doc, quote)) return doc;
  }
  return ports.documents.latestReady(quote.tenantId, quote.id);
}

/** The same choice among the quote's documents already read (oldest first), e.g. by the quote page. */
export function shownDocumentAmong(documents: DocumentRecord[], quote: Pick<Quote, 'id'>, preferredId?: string): DocumentRecord | null {
  const ready = documents.filter((doc) => showable(doc, quote));
  return (preferredId ? ready.find((doc) => doc.id === preferredId) : undefined) ?? ready.at(-1) ?? null;
}

const showable = (doc: DocumentRecord, quote: Pick<Quote, 'id'>) => doc.subjectType === 'quote' && doc.subjectId === quote.id && doc.status === 'ready';

function refused(quote: Quote, day: string): Conflict | null {
  const refusal = acceptanceRefusal(quote, day);
  return refusal ? new Conflict(refusal.message, [{ field: 'status', message: refusal.status }], { quoteStatus: refusal.status }) : null;
}

/** The quote is `id`; the client on the public link acts. */
export interface AcceptCommand extends ItemQuery {
  input: AcceptanceInput;
  ip?: string;
  userAgent?: string;
  /** The document the public link points to, if any (an e-mailed document's link). */
  linkDocumentId?: string;
}

/**
 * The client accepts a sent quote: 409 when it is expired, declined or already accepted (a second accept
 * included), 422 listing what the input lacks. A drawn signature is stored (content-addressed) first; then
 * one conditional transaction marks the quote accepted with the evidence, emits `quote.accepted` and writes
 * the timeline entry. Two concurrent accepts: one wins, the other gets 409.
 */
export async function accept(ports: AcceptancePorts, cmd: AcceptCommand): Promise<Quote> {
  const { tenantId, id: quoteId } = cmd;
  const quote = await ports.quotes.get(tenantId, quoteId);
  if (!quote) throw new NotFound('quote');
  const now = ports.now?.() ?? new Date();
  const day = today(now);
  const refusal = refused(quote, day);
  if (refusal) throw refusal;
  const valid = validate(cmd.input);

  const doc = await shownDocument(ports, quote, valid.documentId ?? cmd.linkDocumentId);
  let signature: { key: string; sha256: string } | null = null;
  if (valid.signature) {
    const sha256 = sha256Hex(valid.signature);
    signature = { key: signatureKey(tenantId, quoteId, sha256), sha256 };
    await ports.storage.put(signature.key, valid.signature, 'image/png', { sha256, quoteid: quoteId });
  }
  const acceptedAt = now.toISOString();
  const acceptance: QuoteAcceptance = {
    signerName: valid.signerName,
    method: signature ? 'drawn' : 'typed',
    signatureKey: signature?.key ?? null,
    signatureSha256: signature?.sha256 ?? null,
    signedAt: acceptedAt,
    ip: cmd.ip || null,
    userAgent: cmd.userAgent ? cmd.userAgent.slice(0, 512) : null,
    documentId: doc?.id ?? null,
    documentSha256: doc?.sha256 ?? null,
  };
  const outcome = await ports.commitAcceptance({
    tenantId,
    quoteId,
    day,
    acceptedAt,
    acceptance,
    events: [
      pendingEvent(tenantId, quoteAccepted.detailType, {
        quoteId,
        signerName: acceptance.signerName,
        ...(acceptance.documentSha256 ? { documentSha256: acceptance.documentSha256 } : {}),
        ...(quote.number ? { number: quote.number } : {}),
        ...(quote.dealId ? { dealId: quote.dealId } : {}),
      }),
    ],
    timeline: [
      timelineEntry({
        tenantId,
        subjectType: 'quote',
        subjectId: quoteId,
        kind: 'accepted',
        actor: { type: 'client', id: 'public-link' },
        at: now,
        data: { ...acceptance },
      }),
    ],
  });
  if (outcome === 'refused') {
    const latest = await ports.quotes.get(tenantId, quoteId);
    throw (latest && refused(latest, day)) ?? new Conflict('the quote changed while it was being accepted; reload the page and try again');
  }
  return { ...quote, status: 'accepted', acceptedAt, acceptance, version: quote.version + 1, updatedAt: acceptedAt };
}

// ---------------------------------------------------------------------------------------------------
// The invoice of an accepted quote (automation)

/** The accepted quote is `id`; who acts is the rule, as { type: 'automation', id: ruleId }. */
export interface InvoiceFromQuoteCommand extends Command {
  id: string;
  /** A stage to move the new invoice to (e.g. SENT: the tenant's invoice rule of that stage then sends it). */
  moveTo?: string;
  /** The invoice's due date, in days after today (default 30). */
  dueInDays?: number;
}

export type InvoiceFromQuoteResult = {
  invoice: Invoice.Info;
  /** False when the quote already had its invoice (a redelivered event, a second rule). */
  created: boolean;
  /** 'moved', 'skipped' (no moveTo, or the invoice is not a draft this actor made), or why the move was refused. */
  move: 'moved' | 'skipped' | { refused: string };
};

/**
 * What the rule on quote.accepted does: the invoice from the quote (client, lines, totals, currency,
 * responsible user, deal), exactly once however often it runs: the invoice-per-quote uniqueness (a
 * conditional write with the invoice) makes a retry find the invoice the first run made. Then, when the
 * rule says so, the invoice moves to `moveTo`, unless it has moved already. A move the pipeline refuses
 * (required fields missing) is reported, not thrown: retrying would not help.
 */
export async function invoiceAccepted(
  ports: { quotes: { get(tenantId: string, id: string): Promise<Quote | null> }; invoices: InvoicePorts },
  cmd: InvoiceFromQuoteCommand,
): Promise<InvoiceFromQuoteResult> {
  const { tenantId, id: quoteId, actor } = cmd;
  const quote = await ports.quotes.get(tenantId, quoteId);
  if (!quote) throw new NotFound('quote');
  if (quote.status !== 'accepted') throw new Conflict(`quote ${quoteId} is ${quote.status}, not accepted`, [{ field: 'status', message: quote.status }]);

  let invoice: Invoice.Info;
  let created = false;
  const now = ports.invoices.now?.() ?? new Date();
  if (quote.invoiceId) {
    invoice = await Invoice.get(ports.invoices, { tenantId, id: quote.invoiceId });
  } else {
    try {
      invoice = await Invoice.create(ports.invoices, {
        tenantId,
        actor,
        input: { from: { quoteId }, dueDate: addDays(today(now), cmd.dueInDays ?? 30) },
      });
      created = true;
    } catch (error) {
      const existing = existingInvoiceOf(error);
      if (!existing) throw error;
      invoice = await Invoice.get(ports.invoices, { tenantId, id: existing });
    }
  }

  // Move only a draft this actor made and that has not moved yet (a retry after a crash between the two).
  if (!cmd.moveTo || invoice.status !== 'draft' || invoice.createdBy !== actor.id || invoice.stage === cmd.moveTo) {
    return { invoice, created, move: 'skipped' };
  }
  try {
    invoice = await Invoice.moveToStage(ports.invoices, { tenantId, id: invoice.id, to: cmd.moveTo, actor, expectedVersion: invoice.version });
    return { invoice, created, move: 'moved' };
  } catch (error) {
    if (error instanceof RuleViolation || error instanceof Conflict) {
      const fields = (error as DomainError).errors.map((e) => e.field).join(', ');
      return { invoice, created, move: { refused: `${error.message}${fields ? ` (${fields})` : ''}` } };
    }
    throw error;
  }
}
