/**
 * The table-stream side of the wiring, for publish-events: the outbox records of a stream batch as plain
 * values, and the bus they go to (its instance is wiring.ts's eventBus()). Handlers reach adapters only
 * through functions/shared, never directly.
 */
export { outboxEventsFromStream, type StreamedOutboxEvent } from '../../adapters/dynamo/stream';
export type { BusEvent, EventPublisher } from '../../adapters/bus/event-bus';
