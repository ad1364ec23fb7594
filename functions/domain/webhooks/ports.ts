/**
 * What the webhooks rules need from outside: an HTTP sender that signs and delivers one message.
 * functions/adapters/webhooks/http-sender.ts implements it with node's http/https.
 */
import type { AttemptResult } from './deliveries';

export interface OutgoingWebhook {
  url: string;
  /** `webhook-id` */
  webhookId: string;
  /** The instant signed and sent as `webhook-timestamp` (the attempt's, not the event's). */
  timestamp: Date;
  /** The exact JSON body. */
  body: string;
  /** `whsec_...` secrets; each signs the message (current first), space-separated in `webhook-signature`. */
  secrets: string[];
}

export interface WebhookSender {
  /** One attempt; never throws for a network or HTTP failure: the result says what happened. */
  send(message: OutgoingWebhook): Promise<AttemptResult>;
}
