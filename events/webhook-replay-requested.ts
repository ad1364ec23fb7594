import * as z from 'zod';
import { defineEvent } from './envelope';

/** Internal (never delivered to subscribers): the delivery function should make the replay's one attempt now. */
export const webhookReplayRequested = defineEvent('webhook.replay_requested', 'A finished webhook delivery is to be sent once more (internal).', () => ({
  deliveryId: z.string(),
  subscriptionId: z.string(),
}));
