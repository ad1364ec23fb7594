/**
 * The verbs of a payment: record it (for a client, with allocations; or for one invoice, the excess kept
 * as credit), allocate its unapplied money later, refund unapplied money. Reversing one allocation is
 * `Allocation.reverse` (allocation.ts). Each verb is ONE transaction (see ledger.ts for the retries).
 */
import type { Invoice } from '../invoicing';
import { Conflict, dec, NotFound, newId, outboxEvent, staleVersion, today, type Command, type FieldError, type ItemCommand } from '../kernel';
import {
  allocationChange,
  amountProblems,
  dateProblems,
  emptyCommit,
  figuresOf,
  invoiceEffects,
  invoiceProblems,
  MAX_ALLOCATIONS,
  money,
  paymentAfter,
  refuse,
  retrying,
  type InvoiceEffect,
} from './ledger';
import {
  nowOf,
  type Allocation,
  type BankRowRecord,
  type LedgerRecords,
  type Payment,
  type PaymentMethod,
  type PaymentOrigin,
  type PaymentPorts,
  type Refund,
} from './model';
import { paymentView, type PaymentView } from './view';

export interface RecordPaymentCommand extends Command {
  clientId: string;
  currency: string;
  amount: string;
  date: string;
  method: PaymentMethod;
  reference?: string | null;
  externalId?: string | null;
  allocations?: { invoiceId: string; amount: string }[];
  origin?: PaymentOrigin;
  /** Statement rows this payment comes from (bank import): remembered in the same transaction. */
  bankRows?: BankRowRecord[];
}

export interface InvoicePaymentCommand extends ItemCommand {
  amount: string;
  date: string;
  method?: PaymentMethod;
  reference?: string | null;
  externalId?: string | null;
  origin?: PaymentOrigin;
  bankRows?: BankRowRecord[];
}

function newPayment(cmd: Omit<RecordPaymentCommand, 'allocations'>, id: string, now: Date): Payment {
  const at = now.toISOString();
  return {
    tenantId: cmd.tenantId,
    id,
    clientId: cmd.clientId,
    currency: cmd.currency,
    amount: money(cmd.amount, cmd.currency),
    date: cmd.date,
    method: cmd.method,
    reference: cmd.reference ?? null,
    externalId: cmd.externalId ?? null,
    origin: cmd.origin ?? 'api',
    createdBy: cmd.actor.id,
    allocated: money(0, cmd.currency),
    refunded: money(0, cmd.currency),
    unapplied: money(cmd.amount, cmd.currency),
    version: 1,
    createdAt: at,
    updatedAt: at,
  };
}

async function clientExists(ports: PaymentPorts, tenantId: string, clientId: string): Promise<boolean> {
  const found = clientId.startsWith('cmp_') ? await ports.clients.company(tenantId, clientId) : await ports.clients.contact(tenantId, clientId);
  return Boolean(found);
}

async function refuseTakenExternalId(ports: PaymentPorts, tenantId: string, externalId: string | null | undefined) {
  if (!externalId) return;
  const existingId = await ports.ledger.paymentIdByExternalId(tenantId, externalId);
  if (existingId) {
    throw new Conflict('a payment with this externalId exists already', [{ field: 'externalId', message: `already used by ${existingId}` }], { existingId });
  }
}

/**
 * One attempt of recording: the payment, its allocations (each checked against the invoice as read now),
 * the invoices' figures and moves, the externalId claim, the events.
 */
async function planRecording(
  ports: PaymentPorts,
  cmd: RecordPaymentCommand,
  paymentId: string,
  allocationIds: string[],
  fitTo: ((invoice: Invoice.Info) => string | null) | null,
  effects: () => Promise<InvoiceEffect>,
) {
  const effect = await effects();
  const { now } = effect;
  const commit = emptyCommit();
  let payment = newPayment(cmd, paymentId, now);
  const allocations: Allocation[] = [];
  const requested = cmd.allocations ?? [];
  const errors: FieldError[] = [];
  let remaining: string | undefined;
  for (const [i, request] of requested.entries()) {
    const field = fitTo ? 'amount' : `allocations[${i}].amount`;
    const invoice = await ports.invoices.get(cmd.tenantId, request.invoiceId);
    if (!invoice) {
      if (fitTo) throw new NotFound('invoice');
      errors.push({ field: `allocations[${i}].invoiceId`, message: 'no such invoice' });
      continue;
    }
    const problems = invoiceProblems(invoice, { clientId: cmd.clientId, currency: cmd.currency }, fitTo ? 'invoice' : `allocations[${i}].invoiceId`);
    if (problems.length > 0) {
      errors.push(...problems);
      continue;
    }
    const due = figuresOf(invoice).balanceDue;
    const amount = fitTo ? fitTo(invoice) : request.amount;
    if (amount === null) continue; // nothing due: all of it stays unapplied credit
    if (dec(amount).gt(due)) {
      errors.push({ field, message: `exceeds the invoice's balance due (${due} ${invoice.currency})` });
      remaining = due;
      continue;
    }
    const allocation: Allocation = {
      tenantId: cmd.tenantId,
      id: allocationIds[i],
      source: { type: 'payment', id: paymentId },
      invoiceId: invoice.id,
      clientId: cmd.clientId,
      currency: cmd.currency,
      amount: money(amount, cmd.currency),
      date: cmd.date,
      fromCredit: false,
      createdAt: now.toISOString(),
      createdBy: cmd.actor.id,
    };
    allocations.push(allocation);
    commit.invoices.push(
      allocationChange(invoice, allocation, effect, { paymentId, date: cmd.date, method: cmd.method, ...(cmd.reference ? { reference: cmd.reference } : {}) }),
    );
  }
  if (errors.length > 0) {
    refuse('the payment cannot be recorded', errors, remaining !== undefined ? { remaining, limitedBy: 'invoice' } : {});
  }
  const allocated = allocations.reduce((acc, a) => acc.plus(a.amount), dec(0));
  payment = { ...paymentAfter(payment, { allocated }, now), version: 1 };
  commit.payments.push({ before: null, after: payment });
  commit.allocations.push(...allocations);
  if (payment.externalId) commit.externalId = { externalId: payment.externalId, paymentId };
  if (cmd.bankRows) commit.bankRows = cmd.bankRows.map((r) => ({ ...r, paymentId }));
  commit.events.push(
    outboxEvent(
      'paymentRecorded',
      cmd.tenantId,
      {
        paymentId,
        invoiceId: allocations[0]?.invoiceId,
        amount: payment.amount,
        currency: payment.currency,
        clientId: payment.clientId,
        date: payment.date,
        method: payment.method,
        allocations: allocations.map((a) => ({ allocationId: a.id, invoiceId: a.invoiceId, amount: a.amount })),
        unapplied: payment.unapplied,
      },
      now,
    ),
  );
  const records: LedgerRecords = { allocations, reversals: [], refunds: [] };
  return { commit, result: () => paymentView(payment, records) };
}

function checkRecording(cmd: Pick<RecordPaymentCommand, 'amount' | 'currency' | 'date' | 'allocations'>, now: Date, allocationField = 'allocations') {
  const errors = [...amountProblems(cmd.amount, cmd.currency, 'amount'), ...dateProblems(cmd.date, now)];
  const requested = cmd.allocations ?? [];
  if (requested.length > MAX_ALLOCATIONS) errors.push({ field: allocationField, message: `at most ${MAX_ALLOCATIONS} allocations per payment` });
  const seen = new Set<string>();
  requested.forEach((a, i) => {
    errors.push(...amountProblems(a.amount, cmd.currency, `allocations[${i}].amount`));
    if (seen.has(a.invoiceId)) errors.push({ field: `allocations[${i}].invoiceId`, message: 'the same invoice twice: give one allocation per invoice' });
    seen.add(a.invoiceId);
  });
  if (errors.length === 0) {
    const total = requested.reduce((acc, a) => acc.plus(a.amount), dec(0));
    if (total.gt(cmd.amount)) {
      refuse(
        'the allocations exceed the payment',
        [{ field: allocationField, message: `they add up to ${money(total, cmd.currency)}, more than the amount ${cmd.amount}` }],
        {
          remaining: money(cmd.amount, cmd.currency),
          limitedBy: 'payment',
        },
      );
    }
  }
  if (errors.length > 0) refuse('the payment is not valid', errors);
}

/**
 * Records a payment of a client (POST /v1/payments): refused (422, every problem named) for a bad amount
 * or date, an unknown client, allocations to invoices that take no payment, of another client or currency,
 * or above their balance due (`remaining`); 409 with `existingId` when the externalId is taken.
 * What is not allocated stays unapplied: the client's credit.
 */
export async function record(ports: PaymentPorts, cmd: RecordPaymentCommand): Promise<PaymentView> {
  checkRecording(cmd, nowOf(ports));
  if (!(await clientExists(ports, cmd.tenantId, cmd.clientId))) refuse('unknown client', [{ field: 'clientId', message: 'no such company or contact' }]);
  await refuseTakenExternalId(ports, cmd.tenantId, cmd.externalId);
  const paymentId = newId('payment');
  const allocationIds = (cmd.allocations ?? []).map(() => newId('allocation'));
  const effects = invoiceEffects(ports, cmd.tenantId, cmd.actor);
  const keys = (cmd.allocations ?? []).map((a) => a.invoiceId);
  return retrying(ports, 'recording the payment', keys, () => planRecording(ports, cmd, paymentId, allocationIds, null, effects));
}

/**
 * Records a payment of an invoice's client allocated to that invoice (POST /v1/invoices/{id}/payments): up to
 * its balance due; what exceeds it stays unapplied credit (an invoice already paid takes nothing: all of it
 * is credit). Two concurrent payments never allocate more than the balance: the later one fits what is left.
 */
export async function recordForInvoice(ports: PaymentPorts, cmd: InvoicePaymentCommand): Promise<PaymentView> {
  const invoice = await ports.invoices.get(cmd.tenantId, cmd.id);
  if (!invoice) throw new NotFound('invoice');
  const reason = invoiceProblems(invoice, { clientId: invoice.client?.id ?? '', currency: invoice.currency }, 'invoice');
  if (reason.length > 0) refuse(`the invoice takes no payments`, reason);
  const base = {
    tenantId: cmd.tenantId,
    actor: cmd.actor,
    clientId: invoice.client!.id,
    currency: invoice.currency,
    amount: cmd.amount,
    date: cmd.date,
    method: cmd.method ?? 'other',
    reference: cmd.reference,
    externalId: cmd.externalId,
    origin: cmd.origin ?? 'invoice',
    bankRows: cmd.bankRows,
  };
  checkRecording(base, nowOf(ports));
  await refuseTakenExternalId(ports, cmd.tenantId, cmd.externalId);
  const paymentId = newId('payment');
  const allocationIds = [newId('allocation')];
  const fitToBalance = (current: Invoice.Info) => {
    const due = dec(figuresOf(current).balanceDue);
    return due.isZero() ? null : money(due.lt(cmd.amount) ? due : cmd.amount, current.currency);
  };
  const effects = invoiceEffects(ports, cmd.tenantId, cmd.actor);
  return retrying(ports, 'recording the payment', [cmd.id], () =>
    planRecording(ports, { ...base, allocations: [{ invoiceId: cmd.id, amount: cmd.amount }] }, paymentId, allocationIds, fitToBalance, effects),
  );
}

async function loadPayment(ports: PaymentPorts, cmd: ItemCommand): Promise<Payment> {
  const payment = await ports.ledger.getPayment(cmd.tenantId, cmd.id);
  if (!payment) throw new NotFound('payment');
  if (cmd.expectedVersion !== undefined && cmd.expectedVersion !== payment.version) throw staleVersion(cmd.expectedVersion, payment.version);
  return payment;
}

/**
 * Applies unapplied money of a payment to an open invoice of the same client and currency
 * (POST /v1/payments/{id}/allocations). 422 with `remaining` (and `limitedBy: "payment" | "invoice"`) when
 * the amount exceeds the payment's unapplied money or the invoice's balance due.
 */
export async function allocate(ports: PaymentPorts, cmd: ItemCommand & { invoiceId: string; amount: string }): Promise<PaymentView> {
  const allocationId = newId('allocation');
  const effects = invoiceEffects(ports, cmd.tenantId, cmd.actor);
  return retrying(ports, 'the allocation', [cmd.id, cmd.invoiceId], async () => {
    const payment = await loadPayment(ports, cmd);
    const effect = await effects();
    const errors = amountProblems(cmd.amount, payment.currency, 'amount');
    if (errors.length > 0) refuse('the amount is not valid', errors);
    const invoice = await ports.invoices.get(cmd.tenantId, cmd.invoiceId);
    if (!invoice) refuse('unknown invoice', [{ field: 'invoiceId', message: 'no such invoice' }]);
    const problems = invoiceProblems(invoice, payment, 'invoiceId');
    if (problems.length > 0) refuse('the invoice cannot take this money', problems);
    if (dec(cmd.amount).gt(payment.unapplied)) {
      refuse(
        'the amount exceeds what the payment has unapplied',
        [{ field: 'amount', message: `exceeds the payment's unapplied ${payment.unapplied} ${payment.currency}` }],
        {
          remaining: payment.unapplied,
          limitedBy: 'payment',
        },
      );
    }
    const due = figuresOf(invoice).balanceDue;
    if (dec(cmd.amount).gt(due)) {
      refuse("the amount exceeds the invoice's balance due", [{ field: 'amount', message: `exceeds the invoice's balance due ${due} ${invoice.currency}` }], {
        remaining: due,
        limitedBy: 'invoice',
      });
    }
    const { now } = effect;
    const allocation: Allocation = {
      tenantId: cmd.tenantId,
      id: allocationId,
      source: { type: 'payment', id: payment.id },
      invoiceId: invoice.id,
      clientId: payment.clientId,
      currency: payment.currency,
      amount: money(cmd.amount, payment.currency),
      date: today(now),
      fromCredit: true,
      createdAt: now.toISOString(),
      createdBy: cmd.actor.id,
    };
    const after = paymentAfter(payment, { allocated: allocation.amount }, now);
    const commit = emptyCommit();
    commit.payments.push({ before: payment, after });
    commit.allocations.push(allocation);
    commit.invoices.push(allocationChange(invoice, allocation, effect, { paymentId: payment.id, fromCredit: true }));
    commit.events.push(
      outboxEvent(
        'paymentAllocated',
        cmd.tenantId,
        { paymentId: payment.id, allocationId, invoiceId: invoice.id, amount: allocation.amount, currency: allocation.currency },
        now,
      ),
    );
    return { commit, result: async () => paymentView(after, await ports.ledger.recordsOfSource(cmd.tenantId, allocation.source)) };
  });
}

/** Gives unapplied money of a payment back to the client (POST /v1/payments/{id}/refunds); 422 with `remaining` beyond it. */
export async function refund(ports: PaymentPorts, cmd: ItemCommand & { amount: string; date: string; reference?: string | null }): Promise<PaymentView> {
  const refundId = newId('refund');
  return retrying(ports, 'the refund', [cmd.id], async () => {
    const payment = await loadPayment(ports, cmd);
    const now = nowOf(ports);
    const errors = [...amountProblems(cmd.amount, payment.currency, 'amount'), ...dateProblems(cmd.date, now)];
    if (cmd.date < payment.date) errors.push({ field: 'date', message: `cannot be before the payment's date ${payment.date}` });
    if (errors.length > 0) refuse('the refund is not valid', errors);
    if (dec(cmd.amount).gt(payment.unapplied)) {
      refuse(
        'only unapplied money can be refunded',
        [{ field: 'amount', message: `exceeds the payment's unapplied ${payment.unapplied} ${payment.currency}` }],
        {
          remaining: payment.unapplied,
          limitedBy: 'payment',
        },
      );
    }
    const record: Refund = {
      tenantId: cmd.tenantId,
      id: refundId,
      paymentId: payment.id,
      clientId: payment.clientId,
      currency: payment.currency,
      amount: money(cmd.amount, payment.currency),
      date: cmd.date,
      reference: cmd.reference ?? null,
      createdAt: now.toISOString(),
      createdBy: cmd.actor.id,
    };
    const after = paymentAfter(payment, { refunded: record.amount }, now);
    const commit = emptyCommit();
    commit.payments.push({ before: payment, after });
    commit.refunds.push(record);
    commit.events.push(
      outboxEvent(
        'paymentRefunded',
        cmd.tenantId,
        { paymentId: payment.id, refundId, amount: record.amount, currency: record.currency, date: record.date },
        now,
      ),
    );
    return { commit, result: async () => paymentView(after, await ports.ledger.recordsOfSource(cmd.tenantId, { type: 'payment', id: payment.id })) };
  });
}

/** A payment with its allocations and refunds. */
export async function get(ports: PaymentPorts, query: { tenantId: string; id: string }): Promise<PaymentView> {
  const payment = await ports.ledger.getPayment(query.tenantId, query.id);
  if (!payment) throw new NotFound('payment');
  return paymentView(payment, await ports.ledger.recordsOfSource(query.tenantId, { type: 'payment', id: payment.id }));
}
