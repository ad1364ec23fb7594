/**
 * Delivery: automation rules (what happens when an invoice enters a stage, or a quote is accepted) and the
 * runs that execute them with exactly-once effects (documents requested, e-mails and SMS claimed before they
 * are sent), sending now on request, and the texts sent. Imports the kernel, documents, and the invoice and
 * quote types it delivers.
 *
 *   Delivery.start / advance / deliverNow / publicUrl       Automation.standardRules / newRun / stageAfterView ...
 *   Messages.invoiceEmail / invoiceSmsText / smsSegments    DeliverySubjects.ofInvoice / ofQuote
 *
 * Still to land beside it (docs/architecture.md): scheduling/ (scheduled sends, recurring invoices, overdue,
 * dunning) and webhooks/ (outgoing subscriptions and deliveries).
 */
export * as Delivery from './run';
export * as Automation from './automation';
export * as Messages from './message';
export * as DeliverySubjects from './subject';
export * as Sending from './sending';
export * as Retries from './retry';
export type { DeliveryPorts } from './run';
export type { Action, AutomationRule, AutomationRun, RunStep, StepStatus, Trigger } from './automation';
export type { Mailer, MessageRecord, OutgoingEmail, SmsSender } from './message';
export type { DeliverySubject } from './subject';
