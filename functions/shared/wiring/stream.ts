/**
 * The table-stream side of the wiring, for publish-events: the outbox records of a stream batch as plain
 * values, and the bus they go to. Handlers reach adapters only through functions/shared, never directly.
 */
import { createEventBus } from '../../adapters/bus/event-bus';
import { config } from '../config';
import { once } from './core';

export { outboxEventsFromStream, type StreamedOutboxEvent } from '../../adapters/dynamo/stream';
export type { BusEvent, EventPublisher } from '../../adapters/bus/event-bus';

export const eventBus = /* @__PURE__ */ once(() => createEventBus(config()));
