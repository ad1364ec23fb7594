/**
 * An invoice item as the domain's record (the stored fields, nulls put back), and the one-item read of the
 * hosted invoice page: apart from the repository, so a function that only reads an invoice does not load the
 * invoicing area's verbs (the repository imports its list keys).
 */
import type { Invoice } from '../../../domain/invoicing';
import type { CrmService } from '../service';
import { InvoiceEntity } from './invoice-entity';
import { registerEntities } from '../entity-registry';

// the entities this module's reads and transactions use (a function loads only these: entity-registry.ts)
registerEntities({ invoice: InvoiceEntity });

export const INVOICE_FIELDS = [
  'tenantId',
  'id',
  'number',
  'sequence',
  'series',
  'type',
  'stage',
  'status',
  'client',
  'lines',
  'totals',
  'currency',
  'issueDate',
  'dueDate',
  'notes',
  'dealId',
  'quoteId',
  'source',
  'recurringInvoiceId',
  'period',
  'lateFeeFor',
  'settlement',
  'fiscalType',
  'reason',
  'reasonText',
  'method',
  'settle',
  'corrects',
  'credits',
  'credit',
  'correctedBy',
  'cancelsOriginal',
  'convertedTo',
  'convertedFrom',
  'replacedBy',
  'replaces',
  'recapitulative',
  'sources',
  'responsibleUserId',
  'createdBy',
  'version',
  'createdAt',
  'updatedAt',
] as const;

/** The invoice of an item, whatever else the item holds (index keys). */
export function fromInvoiceRecord(record: object): Invoice.Info {
  const picked: Record<string, unknown> = {};
  const fields = record as Record<string, unknown>;
  for (const field of INVOICE_FIELDS) if (fields[field] !== undefined) picked[field] = fields[field];
  return {
    ...picked,
    number: fields.number ?? null,
    client: fields.client ?? null,
    issueDate: fields.issueDate ?? null,
    dueDate: fields.dueDate ?? null,
  } as Invoice.Info;
}

/** Reads one invoice (strongly consistent). */
export function invoiceReader(svc: CrmService) {
  return {
    async get(tenantId: string, id: string): Promise<Invoice.Info | null> {
      const { data } = await svc.entities.invoice.get({ tenantId, id }).go({ consistent: true });
      return data ? fromInvoiceRecord(data) : null;
    },
  };
}
