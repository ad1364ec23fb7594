import { Webhooks } from '../../domain/webhooks';
import { httpApi } from '../../shared/http/api';
import { route } from '../../shared/http/route';
import { sealedAnswer } from '../../shared/http/sealed-answer';
import { httpDeps } from '../../shared/wiring/http';
import { webhookAdminPorts } from '../../shared/wiring/webhooks';
import {
  DeliveryPage,
  DeliveryView,
  WebhookCreate,
  WebhookListQuery,
  WebhookPage,
  WebhookPatch,
  WebhookRotate,
  WebhookView,
  WebhookWithSecret,
} from './schemas/webhooks';

export const routes = {
  'POST /v1/webhooks': route({
    summary:
      'Subscribe an endpoint to events (Standard Webhooks: webhook-id, webhook-timestamp, webhook-signature); the signing secret is shown only in this answer. Idempotency-Key: a retry with the same key and body answers the same subscription (and secret); with another body, 422',
    permission: 'webhooks:write',
    // the answer carries the secret: it must never be stored in clear, so the generic Idempotency-Key store is
    // not used; the domain honours the key itself (the subscription's id derives from it)
    idempotent: false,
    body: WebhookCreate,
    response: WebhookWithSecret,
    status: 201,
    errors: [422],
    handler: async ({ body, caller, headers }) =>
      Webhooks.subscribe(webhookAdminPorts(), { tenantId: caller.tenantId, requestKey: headers['idempotency-key'] || undefined, ...body }),
  }),
  'GET /v1/webhooks': route({
    summary: "The tenant's webhook subscriptions (never their secrets)",
    permission: 'webhooks:read',
    query: WebhookListQuery,
    response: WebhookPage,
    handler: async ({ query, caller }) => Webhooks.list(webhookAdminPorts(), { tenantId: caller.tenantId, page: query }),
  }),
  'GET /v1/webhooks/{id}': route({
    summary: 'A webhook subscription (never its secrets)',
    permission: 'webhooks:read',
    response: WebhookView,
    handler: async ({ params, caller }) => Webhooks.get(webhookAdminPorts(), { tenantId: caller.tenantId, id: params.id }),
  }),
  'PATCH /v1/webhooks/{id}': route({
    summary: 'Change the endpoint, the events or the description, or pause (paused: true) and resume a subscription',
    permission: 'webhooks:write',
    body: WebhookPatch,
    response: WebhookView,
    errors: [409, 422],
    handler: async ({ params, body, caller, ifMatch }) => {
      const { version, ...changes } = body;
      return Webhooks.change(webhookAdminPorts(), { tenantId: caller.tenantId, id: params.id, changes, expectedVersion: ifMatch ?? version });
    },
  }),
  'DELETE /v1/webhooks/{id}': route({
    summary: 'Delete a subscription: nothing more is delivered to it (its delivery log stays)',
    permission: 'webhooks:write',
    status: 204,
    errors: [409],
    handler: async ({ params, caller, ifMatch }) => {
      await Webhooks.remove(webhookAdminPorts(), { tenantId: caller.tenantId, id: params.id, expectedVersion: ifMatch });
    },
  }),
  'POST /v1/webhooks/{id}/rotate-secret': route({
    summary:
      'A new signing secret, shown only in this answer; the previous one keeps signing beside it for overlapSeconds (24 h unless told), so both verify meanwhile. Idempotency-Key: a retry with the same key and body answers the same secret (one rotation); with another body, 422',
    permission: 'webhooks:write',
    // the answer carries the secret: the Idempotency-Key store keeps it sealed, never in clear
    idempotent: sealedAnswer,
    body: WebhookRotate,
    response: WebhookWithSecret,
    errors: [409, 422],
    handler: async ({ params, body, caller, ifMatch }) =>
      Webhooks.rotate(webhookAdminPorts(), {
        tenantId: caller.tenantId,
        id: params.id,
        overlapSeconds: body.overlapSeconds,
        expectedVersion: ifMatch ?? body.version,
      }),
  }),
  'GET /v1/webhooks/{id}/deliveries': route({
    summary: 'The delivery log of a subscription, newest first: each delivery with its status and every attempt (status, duration, response excerpt)',
    permission: 'webhooks:read',
    query: WebhookListQuery,
    response: DeliveryPage,
    handler: async ({ params, query, caller }) => Webhooks.deliveries(webhookAdminPorts(), { tenantId: caller.tenantId, id: params.id, page: query }),
  }),
  'POST /v1/webhooks/{id}/deliveries/{deliveryId}/replay': route({
    summary:
      'Send a finished delivery once more (same webhook-id and body, one attempt, made by the delivery function right after this answer); 409 while it is pending or the subscription is paused',
    permission: 'webhooks:write',
    response: DeliveryView,
    status: 202,
    errors: [409],
    handler: async ({ params, caller }) => Webhooks.replay(webhookAdminPorts(), { tenantId: caller.tenantId, id: params.id, deliveryId: params.deliveryId }),
  }),
};

export const handler = httpApi(routes, httpDeps);
