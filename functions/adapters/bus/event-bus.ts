import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { Config } from '../../shared/config';

export interface BusEvent {
  eventId: string;
  detailType: string;
  detail: Record<string, unknown>;
}

export interface EventPublisher {
  /** Publishes the events; returns the ids of those the bus refused (to be retried). */
  publish(events: BusEvent[]): Promise<string[]>;
}

export function createEventBus(cfg: Pick<Config, 'AWS_REGION' | 'EVENTBRIDGE_ENDPOINT' | 'EVENT_BUS_NAME' | 'EVENT_SOURCE'>): EventPublisher {
  const client = new EventBridgeClient({
    region: cfg.AWS_REGION,
    ...(cfg.EVENTBRIDGE_ENDPOINT ? { endpoint: cfg.EVENTBRIDGE_ENDPOINT } : {}),
  });
  return {
    async publish(events) {
      const failed: string[] = [];
      for (let i = 0; i < events.length; i += 10) {
        const batch = events.slice(i, i + 10);
        const entries: PutEventsRequestEntry[] = batch.map((e) => ({
          EventBusName: cfg.EVENT_BUS_NAME,
          Source: cfg.EVENT_SOURCE,
          DetailType: e.detailType,
          Detail: JSON.stringify(e.detail),
        }));
        const result = await client.send(new PutEventsCommand({ Entries: entries }));
        result.Entries?.forEach((entry, index) => {
          if (entry.ErrorCode) failed.push(batch[index].eventId);
        });
      }
      return failed;
    },
  };
}
