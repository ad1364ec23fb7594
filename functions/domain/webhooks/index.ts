/**
 * Outgoing webhooks (Standard Webhooks): subscriptions, the messages of events, deliveries with their
 * retry schedule, and the rule on which addresses may be called. Pure; the HTTP sender is an adapter
 * (functions/adapters/webhooks) behind the WebhookSender port.
 */
export * as WebhookAddresses from './address-policy';
export * as WebhookSchedule from './schedule';
export * as WebhookMessages from './messages';
export * as WebhookSubscriptions from './subscriptions';
export * as WebhookDeliveries from './deliveries';
export type { AddressPolicy, AddressVerdict } from './address-policy';
export type { BusEvent, WebhookMessage } from './messages';
export type { SubscriptionInput, SubscriptionSecret, WebhookSubscription } from './subscriptions';
export type { AttemptDecision, AttemptErrorKind, AttemptResult, DeliveryAttempt, DeliveryStatus, WebhookDelivery } from './deliveries';
export type { OutgoingWebhook, WebhookSender } from './ports';
export * as WebhookWorker from './worker';
export type { AttemptOutcome, WebhookStorePorts, WebhookWorkerPorts } from './worker';
export * as Webhooks from './admin';
export type { DeliveryView, StoredSubscription, SubscriptionView, WebhookAdminPorts, WebhookStore } from './admin';
export * as WebhookSweep from './sweep';
