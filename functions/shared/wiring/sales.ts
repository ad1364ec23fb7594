/** Sales' wiring: every port of the lead, deal and quote verbs, on the single table. */
import { salesRepositories } from '../../adapters/dynamo/sales/sales-repositories';
import { InvoiceSources } from '../../domain/sales';
import { once, service } from './core';
import { defaultCurrency } from './tenancy';

export const sales = /* @__PURE__ */ once(() => {
  const ports = { ...salesRepositories(service()), defaultCurrency };
  return {
    ...ports,
    /** What an invoice copies from a deal (client as it is now, lines, currency, responsible user). 404 if missing. */
    loadDealAsInvoiceSource: (tenantId: string, dealId: string) => InvoiceSources.fromDeal(ports, { tenantId, id: dealId }),
    /** What an invoice copies from a quote (its client snapshot, lines, totals, deal, status). 404 if missing. */
    loadQuoteAsInvoiceSource: (tenantId: string, quoteId: string) => InvoiceSources.fromQuote(ports, { tenantId, id: quoteId }),
    /** The same by reference, null (not 404) when the deal or quote does not exist. */
    loadInvoiceSource: (tenantId: string, ref: { dealId: string } | { quoteId: string }) => InvoiceSources.load(ports, tenantId, ref),
  };
});
