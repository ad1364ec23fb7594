import { events } from './catalog';

/**
 * Catalog events that are commands between the service's own functions, never delivered to webhook
 * subscribers (not even to `*`): the rest of the catalog is what an integrator can subscribe to.
 */
export const internalEventTypes: ReadonlySet<string> = new Set([
  events.documentRequested.detailType,
  events.automationRunRetried.detailType,
  events.webhookReplayRequested.detailType,
  events.exportRequested.detailType,
]);
