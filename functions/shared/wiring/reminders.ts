/**
 * The reminders job's ports: the policy and reminder records, the invoices, the client's credit (payments'
 * ClientBalance), the late fee invoices, and the send through delivery's run (the same path as POST
 * /v1/invoices/{id}/send, keyed by the (invoice, step) cause). Only the daily jobs function imports it.
 */
import { Delivery, type Action } from '../../domain/delivery';
import { ClientBalance } from '../../domain/payments';
import type { DunningPorts, ScheduledSendPorts } from '../../domain/scheduling';
import { timelineRepository } from '../../adapters/dynamo/kernel/timeline-repository';
import { service } from './core';
import { deliveryPorts } from './delivery';
import { documents } from './documents';
import { invoicePortsOn } from './invoicing';
import { paymentPorts } from './payments';
import { dunningStore, reminderStore, scheduledSendStore } from './scheduling';

export function dunningPorts(now: () => Date): DunningPorts {
  const invoicePorts = { ...invoicePortsOn(service()), now };
  return {
    policies: dunningStore(),
    reminders: reminderStore(),
    invoices: invoicePorts.invoices,
    invoicePorts,
    now,
    clientCredit: async (tenantId, clientId, currency) => {
      try {
        const { data } = await ClientBalance.of(paymentPorts(), { tenantId, clientId });
        return data.find((row) => row.currency === currency)?.unappliedCredit ?? '0';
      } catch {
        return '0'; // the client was deleted: no credit to count
      }
    },
    send: async ({ tenantId, invoice, step, to, causeId }) => {
      const send: Action =
        step.channel === 'email'
          ? { type: 'send_email', to, subject: step.subject, body: step.text, attach: 'document' }
          : { type: 'send_sms', to, text: step.text };
      const ready = step.channel === 'email' ? await documents().documents.latestReady(tenantId, invoice.id) : null;
      const run = await Delivery.deliverNow(deliveryPorts(), {
        tenantId,
        subjectType: 'invoice',
        subjectId: invoice.id,
        actor: 'automation:dunning',
        send,
        readyDocumentId: ready?.id,
        causeEventId: causeId,
      });
      return { id: run.id, status: run.status };
    },
  };
}

/** The sweep's ports: due scheduled sends, sent through delivery keyed by the send (the same path as sending now). */
export function scheduledSendPorts(now: () => Date): ScheduledSendPorts {
  return {
    sends: scheduledSendStore(),
    invoices: invoicePortsOn(service()).invoices,
    now,
    timeline: (entry) => timelineRepository(service()).append(entry),
    deliver: async ({ send, to, causeId }) => {
      const action: Action =
        send.channel === 'email'
          ? { type: 'send_email', to, subject: send.subject, body: send.message, attach: 'document' }
          : { type: 'send_sms', to, text: send.message };
      const ready = send.channel === 'email' && !send.templateId ? await documents().documents.latestReady(send.tenantId, send.invoiceId) : null;
      const run = await Delivery.deliverNow(deliveryPorts(), {
        tenantId: send.tenantId,
        subjectType: 'invoice',
        subjectId: send.invoiceId,
        actor: send.createdBy,
        send: action,
        templateId: send.templateId,
        readyDocumentId: ready?.id,
        causeEventId: causeId,
      });
      return { id: run.id, status: run.status };
    },
  };
}
