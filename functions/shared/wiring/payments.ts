/**
 * Payments' wiring: the ledger on the single table, the invoices it settles (the plain invoice store: a
 * payment never creates an invoice from a deal or a quote), the pipeline (the success stage) and clients.
 */
import { clientDirectory } from '../../adapters/dynamo/clients/clients-repository';
import { invoicesRepository } from '../../adapters/dynamo/invoicing/invoices-repository';
import { pipelinesRepository } from '../../adapters/dynamo/kernel/pipelines-repository';
import { ledgerRepository } from '../../adapters/dynamo/payments/ledger-repository';
import { openInvoiceFinder } from '../../adapters/dynamo/payments/open-invoices';
import { PaymentLocks, type PaymentPorts } from '../../domain/payments';
import { once, service } from './core';

/** The payment ports on one table (tests pass a service over a fault-injecting client). */
export function paymentPortsOn(svc: ReturnType<typeof service>, options: { sleep?: PaymentPorts['sleep']; now?: PaymentPorts['now'] } = {}): PaymentPorts {
  return {
    ledger: ledgerRepository(svc),
    invoices: invoicesRepository(svc),
    pipelines: pipelinesRepository(svc),
    clients: clientDirectory(svc),
    openInvoices: openInvoiceFinder(svc),
    lock: PaymentLocks.keyedLock(),
    ...options,
  };
}

export const paymentPorts = /* @__PURE__ */ once(() => paymentPortsOn(service()));
