import { Entity } from 'electrodb';
import { SERVICE, byIdIndex, ownedAttributes } from '../common';

/**
 * Index keys kept on both the invoice and its lookup item (computed by invoiceKeys in
 * functions/domain/invoicing/list.ts). '' means "not in that index" (sparse indexes by condition).
 */
const keyAttributes = {
  issueSort: { type: 'string', required: true },
  totalSort: { type: 'string', required: true },
  clientId: { type: 'string', required: true },
  dealId: { type: 'string' },
  numberKey: { type: 'string', required: true },
  nameKey: { type: 'string', required: true },
  nameSort: { type: 'string', required: true },
  dueSort: { type: 'string', required: true },
} as const;

/**
 * An invoice: the whole document (client snapshot, lines, totals) and its lifecycle. Four access patterns
 * on its own item (issue date, stage, client, total), four more on its lookup item below.
 */
export const InvoiceEntity = new Entity({
  model: { entity: 'invoice', version: '1', service: SERVICE },
  attributes: {
    ...ownedAttributes,
    number: { type: 'string' },
    sequence: { type: 'number' },
    series: { type: 'string', required: true },
    type: { type: ['invoice', 'credit_note', 'proforma', 'simplified'] as const, required: true },
    stage: { type: 'string', required: true },
    status: { type: ['draft', 'issued', 'paid', 'void'] as const, required: true },
    client: { type: 'any' },
    lines: { type: 'any', required: true },
    totals: { type: 'any', required: true },
    currency: { type: 'string', required: true },
    issueDate: { type: 'string' },
    dueDate: { type: 'string' },
    notes: { type: 'string' },
    quoteId: { type: 'string' },
    source: { type: 'any' },
    /** Made by a recurring invoice for one period (functions/domain/scheduling); a late fee cites the overdue invoice. */
    recurringInvoiceId: { type: 'string' },
    period: { type: 'string' },
    lateFeeFor: { type: 'string' },
    /** Money after issue, cached by the payments area (functions/domain/invoicing/settlement.ts). */
    settlement: { type: 'any' },
    /** Corrections and invoice types (functions/domain/invoicing/corrections.ts). */
    fiscalType: { type: 'string' },
    reason: { type: 'string' },
    reasonText: { type: 'string' },
    method: { type: 'string' },
    settle: { type: 'string' },
    corrects: { type: 'any' },
    credits: { type: 'any' },
    credit: { type: 'any' },
    correctedBy: { type: 'any' },
    cancelsOriginal: { type: 'boolean' },
    convertedTo: { type: 'string' },
    convertedFrom: { type: 'string' },
    replacedBy: { type: 'string' },
    replaces: { type: 'any' },
    /** A recapitulative invoice and the deals and quotes it groups (functions/domain/invoicing/recapitulative.ts). */
    recapitulative: { type: 'boolean' },
    sources: { type: 'any' },
    responsibleUserId: { type: 'string', required: true },
    createdBy: { type: 'string', required: true },
    ...keyAttributes,
  },
  indexes: {
    byId: byIdIndex,
    byIssueDate: {
      index: 'gsi1',
      pk: { field: 'gsi1pk', composite: ['tenantId'] },
      sk: { field: 'gsi1sk', composite: ['issueSort'] },
    },
    byStage: {
      index: 'gsi2',
      pk: { field: 'gsi2pk', composite: ['tenantId', 'stage'] },
      sk: { field: 'gsi2sk', composite: ['issueSort'] },
    },
    byClient: {
      index: 'gsi3',
      pk: { field: 'gsi3pk', composite: ['tenantId', 'clientId'] },
      sk: { field: 'gsi3sk', composite: ['issueSort'] },
      condition: (attr) => !!attr.clientId,
    },
    byTotal: {
      index: 'gsi4',
      pk: { field: 'gsi4pk', composite: ['tenantId'] },
      sk: { field: 'gsi4sk', composite: ['totalSort'] },
    },
  },
});

/**
 * The invoice's lookup item: the filterable fields and keys of one invoice (no lines), written in the same
 * transaction as the invoice every time it changes. It gives the invoice four more GSI access patterns than
 * the table has GSIs for one item: by deal, by number, by client name (search) and overdue (sparse: only
 * issued invoices with a due date). Lists read ids here, then the invoices themselves (BatchGet).
 */
export const InvoiceLookupEntity = new Entity({
  model: { entity: 'invoiceLookup', version: '1', service: SERVICE },
  attributes: {
    tenantId: { type: 'string', required: true, readOnly: true },
    id: { type: 'string', required: true, readOnly: true },
    stage: { type: 'string', required: true },
    status: { type: 'string', required: true },
    number: { type: 'string' },
    issueDate: { type: 'string' },
    dueDate: { type: 'string' },
    ...keyAttributes,
    dealId: { type: 'string', required: true },
  },
  indexes: {
    byId: byIdIndex,
    byDeal: {
      index: 'gsi1',
      pk: { field: 'gsi1pk', composite: ['tenantId', 'dealId'] },
      sk: { field: 'gsi1sk', composite: ['issueSort'] },
      condition: (attr) => !!attr.dealId,
    },
    byNumber: {
      index: 'gsi2',
      pk: { field: 'gsi2pk', composite: ['tenantId'] },
      sk: { field: 'gsi2sk', composite: ['numberKey'] },
      condition: (attr) => !!attr.numberKey,
    },
    byClientName: {
      index: 'gsi3',
      pk: { field: 'gsi3pk', composite: ['tenantId'] },
      sk: { field: 'gsi3sk', composite: ['nameSort'] },
      condition: (attr) => !!attr.nameSort,
    },
    byOverdue: {
      index: 'gsi4',
      pk: { field: 'gsi4pk', composite: ['tenantId'] },
      sk: { field: 'gsi4sk', composite: ['dueSort'] },
      condition: (attr) => !!attr.dueSort,
    },
  },
});
