import { Entity } from 'electrodb';
import { SERVICE } from '../common';

/**
 * One record of an issuer's register chain (VERI*FACTU): immutable, created once (never put over) in the
 * transaction that issues or cancels its invoice. `position` is the sequence zero-padded, so the chain reads
 * in order; `genDate` (the Madrid date of FechaHoraHusoGenRegistro) serves the date filter of the list.
 */
export const RegisterRecordEntity = new Entity({
  model: { entity: 'registerRecord', version: '1', service: SERVICE },
  attributes: {
    tenantId: { type: 'string', required: true, readOnly: true },
    issuerTaxId: { type: 'string', required: true, readOnly: true },
    position: { type: 'string', required: true, readOnly: true },
    sequence: { type: 'number', required: true, readOnly: true },
    invoiceId: { type: 'string', required: true, readOnly: true },
    kind: { type: ['alta', 'anulacion'] as const, required: true, readOnly: true },
    previousHuella: { type: 'string', required: true, readOnly: true },
    huella: { type: 'string', required: true, readOnly: true },
    record: { type: 'any', required: true, readOnly: true },
    qrUrl: { type: 'string', readOnly: true },
    genDate: { type: 'string', required: true, readOnly: true },
  },
  indexes: {
    byChain: { pk: { field: 'pk', composite: ['tenantId'] }, sk: { field: 'sk', composite: ['issuerTaxId', 'position'] } },
    byInvoice: {
      index: 'gsi1',
      pk: { field: 'gsi1pk', composite: ['tenantId', 'invoiceId'] },
      sk: { field: 'gsi1sk', composite: ['issuerTaxId', 'position'] },
    },
  },
});

/**
 * The head of an issuer's chain: its last record (whole, the next one chains to it). Moved only with the
 * record it points to, conditioned on the sequence and huella it had when read: two writers that read the
 * same head cannot both append.
 */
export const RegisterHeadEntity = new Entity({
  model: { entity: 'registerHead', version: '1', service: SERVICE },
  attributes: {
    tenantId: { type: 'string', required: true, readOnly: true },
    issuerTaxId: { type: 'string', required: true, readOnly: true },
    sequence: { type: 'number', required: true },
    huella: { type: 'string', required: true },
    entry: { type: 'any', required: true },
  },
  indexes: {
    byIssuer: { pk: { field: 'pk', composite: ['tenantId'] }, sk: { field: 'sk', composite: ['issuerTaxId'] } },
  },
});
