/**
 * Webhooks' wiring: the subscriptions' and deliveries' store on the single table, the tenant secrets'
 * cipher, the signing HTTP sender (checked addresses; loopback only when the local setting allows it).
 */
import { webhooksRepository } from '../../adapters/dynamo/webhooks/webhooks-repository';
import { createHttpWebhookSender } from '../../adapters/webhooks/http-sender';
import { nowIso } from '../../domain/kernel';
import type { WebhookAdminPorts, WebhookWorkerPorts } from '../../domain/webhooks';
import { config } from '../config';
import { once, service } from './core';
import { secretCipher } from './secrets';

export const webhookStore = /* @__PURE__ */ once(() => webhooksRepository(service()));

/** The ports of the /v1/webhooks routes. */
export const webhookAdminPorts = /* @__PURE__ */ once(
  (): WebhookAdminPorts => ({
    ...webhookStore(),
    secrets: secretCipher(),
    policy: { allowLoopback: config().WEBHOOKS_ALLOW_LOOPBACK },
    now: nowIso,
  }),
);

const sender = /* @__PURE__ */ once(() => createHttpWebhookSender({ allowLoopback: config().WEBHOOKS_ALLOW_LOOPBACK, timeoutMs: config().WEBHOOK_TIMEOUT_MS }));

/** The ports of the delivery worker; `now` is the clock the caller runs at (the sweep's instant). */
export function webhookWorkerPorts(now: () => string = nowIso): WebhookWorkerPorts {
  const store = webhookStore();
  return { subscriptions: store.subscriptions, deliveries: store.deliveries, secrets: secretCipher(), sender: sender(), now };
}
