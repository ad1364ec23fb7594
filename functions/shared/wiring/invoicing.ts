/**
 * Invoicing's wiring: every port of the invoice verbs. Deals and quotes plug in as invoice sources (sales'
 * InvoiceSources.reader), and the invoice store links an invoice made from one back to it in the same write.
 */
import { clientDirectory, productCatalog } from '../../adapters/dynamo/clients/clients-repository';
import { invoicesRepository } from '../../adapters/dynamo/invoicing/invoices-repository';
import { linkedInvoiceStore } from '../../adapters/dynamo/invoicing/source-linking';
import { pipelinesRepository } from '../../adapters/dynamo/kernel/pipelines-repository';
import { registeringInvoiceStore } from '../../adapters/dynamo/register/register-repository';
import { InvoicePipeline, Issuing, type InvoicePorts } from '../../domain/invoicing';
import { InvoiceSources } from '../../domain/sales';
import { once, service } from './core';
import { sales } from './sales';
import { defaultCurrency, registerIssuer, sellerDetails, simplifiedInvoiceLimit, timeZoneSetting } from './tenancy';

/** The invoice ports on one table; `allowDuplicate`: another invoice from an already invoiced quote, when asked for. */
export function invoicePortsOn(svc: ReturnType<typeof service>, options: { allowDuplicate?: boolean; sleep?: InvoicePorts['sleep'] } = {}): InvoicePorts {
  return {
    issueQueue: Issuing.createIssueQueue({ sleep: options.sleep }),
    // an issue or a cancellation appends to the register chain in its own transaction (when the tenant has it on)
    invoices: linkedInvoiceStore(svc, registeringInvoiceStore(svc, invoicesRepository(svc), { issuerOf: registerIssuer }), options),
    pipelines: pipelinesRepository(svc),
    clients: clientDirectory(svc),
    products: productCatalog(svc),
    sources: InvoiceSources.reader({ ...sales(), timeZone: timeZoneSetting }, options),
    defaultCurrency,
    seller: sellerDetails,
    simplifiedLimit: simplifiedInvoiceLimit,
    ...(options.sleep ? { sleep: options.sleep } : {}),
  };
}

export const invoicePorts = /* @__PURE__ */ once(() => invoicePortsOn(service()));
/** The same, for a caller who explicitly asks for another invoice from an already invoiced quote. */
export const invoicePortsAllowingDuplicates = /* @__PURE__ */ once(() => invoicePortsOn(service(), { allowDuplicate: true }));

/** The tenant's invoice pipeline with defaults filled in. */
export const invoicePipelines = /* @__PURE__ */ once(() => ({
  get: async (tenantId: string) => (await InvoicePipeline.get(invoicePorts(), { tenantId })).pipeline,
}));
