/**
 * The delivery ports of the automation runner: those of every function, plus the e-invoice engine (the UBL
 * an e-mail may attach). Kept out of wiring/delivery.ts so that the HTTP functions that send now (documents,
 * quotes) do not bundle the engine.
 */
import type { DeliveryPorts } from '../../domain/delivery';
import { EInvoice } from '../../domain/einvoicing';
import { Invoice } from '../../domain/invoicing';
import { once } from './core';
import { deliveryPorts } from './delivery';
import { invoicePorts } from './invoicing';
import { tenants } from './tenancy';

/** The delivery ports themselves underneath (read through, not copied: a port replaced later, as tests do, is seen here too). */
export const automationPorts = /* @__PURE__ */ once<DeliveryPorts>(() =>
  Object.assign(Object.create(deliveryPorts()) as DeliveryPorts, {
    einvoices: {
      ubl: async (tenantId, invoiceId) => {
        const invoice = await Invoice.get(invoicePorts(), { tenantId, id: invoiceId });
        const xml = EInvoice.build(EInvoice.fromTenantInvoice(invoice, await tenants().getTenant(tenantId)), 'ubl');
        return { filename: `${invoice.number ?? invoice.id}.xml`, content: new TextEncoder().encode(xml) };
      },
    } satisfies DeliveryPorts['einvoices'],
  }),
);
