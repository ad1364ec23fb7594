/**
 * The register in the product: the tenant's settings (`verifactu: { enabled, issuerTaxId }`) and which
 * records a write of invoices appends.
 *
 * - Every change that ISSUES an invoice or credit note (draft -> issued or paid; proformas never) appends a
 *   registro de alta; every change that CANCELS an issued one (to status void, or to the CANCELLED stage)
 *   appends a registro de anulación. The records are computed here from the chain's head and written by the
 *   store in the very transaction that writes the invoices (and moves the number counter), with the head
 *   conditioned on the one read: two concurrent writes of one issuer can never fork the chain, the loser
 *   retries from the new head. A failure to build a record (e.g. a number the AEAT refuses) fails the issue.
 * - TipoFactura: the invoice's own `fiscalType` when it holds one (F1, F2, F3, R1-R5, set by corrections);
 *   else F2 for `type: simplified`, the credit note's `reason` (R1-R5, default R4), F1 otherwise.
 */
import type { Invoice, InvoiceChange } from '../invoicing';
import { isValidSpanishTaxId, normalizeSpanishTaxId, RuleViolation } from '../kernel';
import { appendAlta, appendAnulacion, type AppendContext } from './chain';
import { altaFieldsOf, anulacionFieldsOf } from './from-invoice';
import { TIPOS_FACTURA, type RegisterEntry, type TipoFactura } from './model';

export interface RegisterSettings {
  enabled: boolean;
  issuerTaxId: string;
}

/** The register settings of a stored settings object, or null when absent or malformed. */
export function settingsOf(stored: unknown): RegisterSettings | null {
  const v = (stored as { verifactu?: unknown } | null | undefined)?.verifactu as Partial<RegisterSettings> | undefined;
  if (!v || typeof v !== 'object' || typeof v.issuerTaxId !== 'string') return null;
  return { enabled: v.enabled === true, issuerTaxId: v.issuerTaxId };
}

/** The chain a tenant's writes append to: its settings when enabled, else null. */
export function activeIssuer(stored: unknown): string | null {
  const s = settingsOf(stored);
  return s?.enabled ? s.issuerTaxId : null;
}

/**
 * Checks register settings as given (PUT /v1/settings): a valid Spanish NIF (normalized: upper case, no
 * spaces or ES prefix), the tenant's own `taxId` when none is given. RuleViolation (422) naming the field.
 */
export function checkSettings(input: { enabled: boolean; issuerTaxId?: string }, tenantTaxId?: string): RegisterSettings {
  const given = input.issuerTaxId ?? tenantTaxId;
  if (!input.enabled && input.issuerTaxId === undefined && !isValidSpanishTaxId(given)) return { enabled: false, issuerTaxId: '' };
  const field = input.issuerTaxId === undefined ? 'taxId' : 'verifactu.issuerTaxId';
  if (!given || !isValidSpanishTaxId(given)) {
    throw new RuleViolation('the register needs a valid Spanish tax id (NIF)', [
      { field: 'verifactu.issuerTaxId', message: given ? `${given} is not a valid Spanish NIF, NIE or CIF` : `a Spanish NIF is required (${field})` },
    ]);
  }
  return { enabled: input.enabled, issuerTaxId: normalizeSpanishTaxId(given) };
}

type CorrectionFields = { fiscalType?: unknown; reason?: unknown };

/** The TipoFactura of an issued document (see the module comment). */
export function tipoFacturaOf(invoice: Invoice.Info): TipoFactura {
  const extra = invoice as Invoice.Info & CorrectionFields;
  if (typeof extra.fiscalType === 'string' && (TIPOS_FACTURA as readonly string[]).includes(extra.fiscalType)) return extra.fiscalType as TipoFactura;
  if ((invoice.type as string) === 'simplified') return 'F2';
  if (invoice.type === 'credit_note') {
    return typeof extra.reason === 'string' && /^R[1-5]$/.test(extra.reason) ? (extra.reason as TipoFactura) : 'R4';
  }
  return 'F1';
}

const ISSUED = new Set(['issued', 'paid']);

/** What a change means for the register: an alta (it issues), an anulación (it cancels), or nothing. */
export function registrationOf(change: InvoiceChange): 'alta' | 'anulacion' | null {
  const { before, after } = change;
  if ((after.type as string) === 'proforma' || !after.number || !after.issueDate) return null;
  const wasIssued = before !== null && before.status !== 'draft' && Boolean(before.number);
  if (!wasIssued && ISSUED.has(after.status)) return 'alta';
  const cancelled = after.status === 'void' || after.stage === 'CANCELLED';
  const wasCancelled = before !== null && (before.status === 'void' || before.stage === 'CANCELLED');
  if (wasIssued && cancelled && !wasCancelled) return 'anulacion';
  return null;
}

/**
 * The records a write appends to the issuer's chain, in the order of its changes, after `head` (the chain's
 * last record, null for a new chain). Empty when the write issues or cancels nothing. Pure.
 */
export function recordsFor(
  changes: readonly InvoiceChange[],
  head: RegisterEntry | null,
  issuerTaxId: string,
  context: Omit<AppendContext, 'invoiceId'>,
): RegisterEntry[] {
  const out: RegisterEntry[] = [];
  let last = head;
  for (const change of changes) {
    const kind = registrationOf(change);
    if (!kind) continue;
    const invoice = change.after;
    const ctx = { ...context, invoiceId: invoice.id };
    const entry =
      kind === 'alta'
        ? appendAlta(last, altaFieldsOf(invoice, issuerTaxId, tipoFacturaOf(invoice)), ctx)
        : appendAnulacion(last, anulacionFieldsOf(invoice, issuerTaxId), ctx);
    out.push(entry);
    last = entry;
  }
  return out;
}

/** Whether a write issues or cancels anything the register must record. */
export const touchesRegister = (changes: readonly InvoiceChange[]) => changes.some((c) => registrationOf(c) !== null);

/** The API view of a record: `{ record, huella, previousHuella, qrUrl }` plus where it sits. */
export function view(entry: RegisterEntry) {
  return {
    issuerTaxId: entry.issuerTaxId,
    sequence: entry.sequence,
    invoiceId: entry.invoiceId,
    kind: entry.kind,
    record: entry.record,
    huella: entry.huella,
    previousHuella: entry.previousHuella,
    qrUrl: entry.kind === 'alta' ? entry.qrUrl : null,
  };
}
