import * as z from 'zod';
import { ListQuery } from './common';

/**
 * The HTTP contract of outgoing webhooks (Standard Webhooks). Bodies are strict. The endpoint URL and the
 * event types are checked by the domain (https only, no private or loopback destinations, only types of
 * the event catalog): 422 naming `url` or `events[i]`.
 */
const url = z.string().trim().min(1, 'must not be empty').max(2048, 'at most 2048 characters').describe('The endpoint: an absolute https URL');
const events = z
  .array(z.string().trim().min(1, 'must not be empty').max(100, 'at most 100 characters'))
  .min(1, 'name at least one event type')
  .max(50, 'at most 50 entries')
  .describe('Event types (`invoice.paid`), every type of an area (`invoice.*`, `payment.*`, `document.*`) or `*`');
const description = z.string().trim().max(500, 'at most 500 characters');

export const WebhookCreate = z.strictObject({ url, events, description: description.optional() });

export const WebhookPatch = z.strictObject({
  url: url.optional(),
  events: events.optional(),
  description: description.optional(),
  paused: z.boolean().optional().describe('true: nothing is delivered (pending retries and replays included) until it is false again'),
  version: z.number().int().min(1).optional(),
});

export const WebhookRotate = z.strictObject({
  overlapSeconds: z
    .number()
    .int()
    .min(0)
    .max(604_800)
    .optional()
    .describe('How long the previous secret keeps signing beside the new one (default 86400; 0 ends it at once, as after a leak)'),
  version: z.number().int().min(1).optional(),
});

export const WebhookView = z.object({
  id: z.string(),
  url: z.string(),
  events: z.array(z.string()),
  description: z.string().nullable(),
  paused: z.boolean(),
  secrets: z.array(z.object({ createdAt: z.string(), expiresAt: z.string().nullable() })).describe('The live signing secrets (never their values)'),
  version: z.number(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const WebhookWithSecret = WebhookView.extend({
  secret: z.string().describe('The signing secret (whsec_...), shown only in this answer: verify deliveries with it'),
});

export const WebhookPage = z.object({ data: z.array(WebhookView), nextCursor: z.string().nullable() });

export const DeliveryView = z.object({
  id: z.string(),
  subscriptionId: z.string(),
  eventId: z.string(),
  eventType: z.string(),
  webhookId: z.string().describe('The webhook-id header: the same for every attempt and replay of this delivery'),
  status: z.enum(['pending', 'succeeded', 'failed']),
  attemptCount: z.number(),
  nextAttemptAt: z.string().nullable(),
  replays: z.number(),
  failureReason: z.string().nullable(),
  payload: z.unknown().describe('The message as sent: { type, timestamp, data }'),
  attempts: z.array(
    z.object({
      n: z.number(),
      at: z.string(),
      replay: z.boolean(),
      status: z.number().nullable(),
      durationMs: z.number(),
      responseExcerpt: z.string(),
      error: z.object({ kind: z.string(), message: z.string() }).nullable(),
    }),
  ),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const DeliveryPage = z.object({ data: z.array(DeliveryView), nextCursor: z.string().nullable() });

export const WebhookListQuery = ListQuery;
