import { createEventBus } from '../../adapters/bus/event-bus';
import { createIdempotency } from '../../adapters/dynamo/idempotency';
import { createDynamoClients } from '../../adapters/dynamo/client';
import { crudRepository } from '../../adapters/dynamo/crud-repository';
import { createService } from '../../adapters/dynamo/service';
import { tenantsRepository } from '../../adapters/dynamo/tenancy/tenants-repository';
import { templatesRepository } from '../../adapters/dynamo/documents/templates-repository';
import { invoicePortsFor } from '../../adapters/dynamo/invoicing/invoices-repository';
import { crmRepositories, invoiceSourcePorts } from '../../adapters/dynamo/sales/sales-repositories';
import { actorOf, deliveryRepository } from '../../adapters/dynamo/delivery/delivery-repository';
import { createSesMailer } from '../../adapters/mail/ses-mailer';
import { createSnsSms } from '../../adapters/sms/sns-sms';
import { createS3Storage } from '../../adapters/storage/s3-storage';
import { authenticate } from '../../domain/tenancy/api-key';
import type { DeliveryPorts, DeliverySubject } from '../../domain/delivery/run';
import { Conflict } from '../../domain/kernel/errors';
import { nowIso } from '../../domain/kernel/ids';
import { effectiveInvoicePipeline, invoiceSubject, moveInvoiceStage } from '../../domain/invoicing/invoice';
import { quoteSubject } from '../../domain/sales/quote';
import { config } from '../config';
import type { HttpDeps } from '../http/api';

/**
 * Adapters wired once per cold start (on first use) from the configuration. Handlers get their
 * ports only from here, so a handler never constructs an AWS client itself.
 */
function once<T>(make: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= make());
}

export const dynamo = once(() => createDynamoClients(config()));
export const service = once(() => createService(dynamo().doc, config().TABLE_NAME));
export const tenants = once(() => tenantsRepository(service()));
/** Tenants' document templates (metadata; the sources are in the bucket). */
export const templatesRepo = once(() => templatesRepository(service()));
/** Leads, deals, quotes: the ports of their domain verbs, and the invoice-source loaders. */
export const crm = once(() => crmRepositories(service()));

export const repositories = once(() => {
  const { company, contact, product } = service().entities;
  return {
    companies: crudRepository<any>(company, 'company'),
    contacts: crudRepository<any>(contact, 'contact', ['companyId']),
    products: crudRepository<any>(product, 'product'),
  };
});

export const httpDeps = once<HttpDeps>(() => ({
  authenticate: (token) => authenticate(tenants(), token),
  idempotent: createIdempotency(dynamo().client, config().TABLE_NAME, config().IDEMPOTENCY_TTL_SECONDS),
}));

export const eventBus = once(() => createEventBus(config()));

/**
 * Invoices: every port of their use cases (functions/domain/invoices.ts), incl. moveInvoiceStage for automation.
 * Deals and quotes plug in as invoice sources (`from: { dealId | quoteId }`); see invoiceSourcePorts.
 */
export const invoicePorts = once(() => invoicePortsFor(service(), invoiceSourcePorts(service(), crm())));
/** The same, for a caller who explicitly asks for another invoice from an already invoiced quote. */
export const invoicePortsAllowingDuplicates = once(() => invoicePortsFor(service(), invoiceSourcePorts(service(), crm(), { allowDuplicate: true })));

// ---- documents, delivery and automation ----------------------------------------------------------

export const storage = once(() => createS3Storage(config()));
export const mailer = once(() => createSesMailer(config()));
export const smsSender = once(() => createSnsSms(config()));
export const delivery = once(() => deliveryRepository(service()));

/** The tenant's invoice pipeline with defaults filled in. */
export const invoicePipelines = once(() => ({
  get: async (tenantId: string) => effectiveInvoicePipeline(await invoicePorts().pipelines.get(tenantId, 'invoice')).pipeline,
}));

export const deliveryPorts = once<DeliveryPorts>(() => ({
  now: nowIso,
  publicBaseUrl: config().PUBLIC_BASE_URL,
  mailFrom: config().MAIL_FROM,
  subjects: {
    get: async (tenantId, type, id) => {
      if (type === 'invoice') {
        const invoice = await invoicePorts().invoices.get(tenantId, id);
        return invoice ? invoiceSubject(invoice) : null;
      }
      return (await quoteSubjects.get(tenantId, id)) ?? null;
    },
  },
  tenants: { get: (tenantId) => tenants().getTenant(tenantId) },
  users: { emailOf: (tenantId, userId) => tenants().userEmail(tenantId, userId) },
  runs: delivery().runs,
  documents: delivery().documents,
  messages: delivery().messages,
  stages: {
    move: async (tenantId, invoiceId, to, actor) => {
      const current = await invoicePorts().invoices.get(tenantId, invoiceId);
      if (!current || current.stage === to) return;
      try {
        await moveInvoiceStage(invoicePorts(), { tenantId, invoiceId, to, actor: actorOf(actor) });
      } catch (error) {
        // a concurrent mover (a second view event, a retry) got there first: that is the goal reached
        if (!(error instanceof Conflict && (await invoicePorts().invoices.get(tenantId, invoiceId))?.stage === to)) throw error;
      }
    },
  },
  storage: storage(),
  mailer: mailer(),
  sms: smsSender(),
}));

/** Quotes as delivery subjects (the quote e-mail, its document). */
export const quoteSubjects: { get: (tenantId: string, id: string) => Promise<DeliverySubject | null | undefined> } = {
  get: async (tenantId, id) => {
    const quote = await crm().quotes.get(tenantId, id);
    return quote ? quoteSubject(quote) : null;
  },
};
