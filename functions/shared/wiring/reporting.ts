/**
 * Reporting's wiring: the invoice store (read by its byIssueDate index) and the payments ledger (records and
 * payments by their own dates). Reads only.
 */
import { invoicesRepository } from '../../adapters/dynamo/invoicing/invoices-repository';
import { ledgerRepository } from '../../adapters/dynamo/payments/ledger-repository';
import type { ReportingPorts } from '../../domain/reporting';
import { once, service } from './core';

export function reportingPortsOn(svc: ReturnType<typeof service>, options: { now?: () => Date } = {}): ReportingPorts {
  return { invoices: invoicesRepository(svc), ledger: ledgerRepository(svc), ...options };
}

export const reportingPorts = once(() => reportingPortsOn(service()));
