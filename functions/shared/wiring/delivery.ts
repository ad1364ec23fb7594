/**
 * Delivery's wiring: e-mail (SES, nodemailer's MIME composer), SMS (SNS), automation runs, messages and
 * rules, and the ports of a delivery run. Only the functions that send (documents, quotes, run-automation)
 * import it.
 */
import { createSesMailer } from '../../adapters/mail/ses-mailer';
import { createSnsSms } from '../../adapters/sms/sns-sms';
import { DeliverySubjects, type DeliveryPorts } from '../../domain/delivery';
import { Invoice } from '../../domain/invoicing';
import { actorOf, nowIso } from '../../domain/kernel';
import { config } from '../config';
import { delivery } from './automation';
import { once, service } from './core';
import { wakeupsRepository } from '../../adapters/dynamo/scheduling/wakeups-repository';
import { documents } from './documents';
import { invoicePorts } from './invoicing';
import { sales } from './sales';
import { storage } from './storage';
import { tenants } from './tenancy';

export { delivery };

export const wakeupStore = /* @__PURE__ */ once(() => wakeupsRepository(service()));

export const mailer = /* @__PURE__ */ once(() => createSesMailer(config()));
export const smsSender = /* @__PURE__ */ once(() => createSnsSms(config()));

export const deliveryPorts = /* @__PURE__ */ once<DeliveryPorts>(() => ({
  now: nowIso,
  publicBaseUrl: config().PUBLIC_BASE_URL,
  mailFrom: config().MAIL_FROM,
  subjects: {
    get: async (tenantId, type, id) => {
      if (type === 'invoice') {
        const invoice = await invoicePorts().invoices.get(tenantId, id);
        return invoice ? DeliverySubjects.ofInvoice(invoice) : null;
      }
      const quote = await sales().quotes.get(tenantId, id);
      return quote ? DeliverySubjects.ofQuote(quote) : null;
    },
  },
  tenants: { get: (tenantId) => tenants().getTenant(tenantId) },
  users: { emailOf: (tenantId, userId) => tenants().userEmail(tenantId, userId) },
  runs: delivery().runs,
  documents: documents().documents,
  messages: delivery().messages,
  quota: delivery().quota,
  stages: { move: (tenantId, invoiceId, to, actor) => Invoice.reachStage(invoicePorts(), { tenantId, id: invoiceId, to, actor: actorOf(actor) }) },
  storage: storage(),
  mailer: mailer(),
  sms: smsSender(),
  // an action's delay: the run sleeps, the scheduling sweep (functions/handlers/schedules/scheduled-sends.ts) wakes it
  wakeups: wakeupStore(),
}));
