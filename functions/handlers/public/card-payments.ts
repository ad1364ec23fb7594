/**
 * Card payment of the hosted invoice page: the Pay button (POST /p/{token}/pay: a Stripe Checkout Session for the
 * balance due at click time) and Stripe's webhook (POST /webhooks/stripe: the signature verified on the raw body
 * with the tenant's endpoint secret, then StripeWebhook.receiveStripeEvent records the payment once). In a
 * function of its own: the Stripe library and the payments ledger stay out of the public links function.
 */
import * as z from 'zod';
import { InvalidInput, RuleViolation, Unavailable } from '../../domain/kernel';
import { StripeWebhook } from '../../domain/payments';
import { httpApi } from '../../shared/http/api';
import { RawResponse, route } from '../../shared/http/route';
import { logger } from '../../shared/logger';
import { stripeFacts, stripeGateway, stripeIntakePorts, tenantStripeKey } from '../../shared/wiring/card-payments';
import { httpDeps } from '../../shared/wiring/http';
import { Texts } from '../../domain/documents';
import { invoiceLink, invoicePageState } from './invoice-page-state';
import { messagePage, notAvailable, pageUrl } from './page';

/** A refused Pay click: a short page in the client's language (no session was made), with a way back to the invoice. */
function refused(status: number, model: { locale: string; number: string | null }, reason: 'alreadyPaid' | 'cardUnavailable') {
  const t = Texts.translator(model.locale);
  return messagePage(status, `${t('document.invoice')} ${model.number ?? ''}`.trim(), t(`invoicePage.${reason}`), {}, model.locale.slice(0, 2));
}

/** Stripe's locales that are also ours (Checkout's page then speaks the client's language); else Stripe chooses. */
const STRIPE_LOCALES = new Set(['en', 'es', 'ro', 'ru']);

/** The Checkout Session's lifetime: long enough to pay, short enough that a stale amount is not paid days later. */
const SESSION_TTL_MS = 60 * 60 * 1000;

/**
 * Whose event this is, before it can be verified (the signing secret is the tenant's): the endpoint URL's
 * `?tenant=` (as the README says to configure it), else the tenant our metadata names (sessions and payment
 * intents we created), else the tenant whose payment intent a refund or dispute names (stored facts).
 */
async function tenantOfEvent(rawBody: string | Buffer, fromQuery: string | undefined): Promise<string | null> {
  if (fromQuery && /^[a-z]+_[A-Za-z0-9]{10,40}$/.test(fromQuery)) return fromQuery;
  let object: Record<string, unknown> = {};
  try {
    object = (JSON.parse(rawBody.toString()) as { data?: { object?: Record<string, unknown> } }).data?.object ?? {};
  } catch {
    return null;
  }
  const tenantId = (object.metadata as { tenantId?: unknown } | undefined)?.tenantId;
  if (typeof tenantId === 'string' && tenantId) return tenantId;
  const pi = object.object === 'payment_intent' ? object.id : object.payment_intent;
  const externalId = typeof pi === 'string' ? pi : typeof (pi as { id?: unknown } | null)?.id === 'string' ? (pi as { id: string }).id : null;
  return externalId ? stripeFacts().tenantOf(externalId) : null;
}

/** What the route reads of an event before verifying it (the signature is checked on the raw bytes, never on this parse). */
const StripeEventBody = z.looseObject({ id: z.string().max(255), type: z.string().max(255), data: z.looseObject({ object: z.looseObject({}) }) });

const Received = z.object({ received: z.literal(true), handled: z.boolean(), eventId: z.string().optional(), reason: z.string().optional() });

export const routes = {
  'POST /p/{token}/pay': route({
    summary:
      "The Pay button of the hosted invoice page (a form post): creates a Stripe Checkout Session for the invoice's balance due now, " +
      'with the tenant and invoice in its metadata, and answers 303 to it. 409 (a page) when nothing is left to pay or card payment is not set up',
    permission: 'public',
    errors: [404, 409],
    handler: async (ctx) => {
      const language = ctx.headers['accept-language'];
      const token = ctx.params.token!;
      const link = await invoiceLink(token);
      const found = link ? await invoicePageState(link, { token }) : null;
      if (!link || !found) return notAvailable(language);
      const { state, invoice } = found;
      if (!state.payByCard || !state.figures) {
        const paid = state.status === 'paid' || state.status === 'void' || !state.figures || Number(state.figures.balanceDue) <= 0;
        return refused(409, state.model, paid ? 'alreadyPaid' : 'cardUnavailable');
      }
      try {
        const secretKey = await tenantStripeKey(link.tenantId, 'secretKey');
        if (!secretKey) return refused(409, state.model, 'cardUnavailable');
        const locale = state.model.locale.slice(0, 2);
        const session = await stripeGateway().createCheckoutSession(secretKey, {
          tenantId: link.tenantId,
          invoiceId: invoice.id,
          invoiceNumber: invoice.number ?? invoice.id,
          amount: state.figures.balanceDue,
          currency: invoice.currency,
          // the invoice's version: clicks on the same balance get the same session (the idempotency key), a new balance a new one
          sessionNonce: `v${invoice.version}`,
          successUrl: `${pageUrl(token)}?checkout=success`,
          cancelUrl: `${pageUrl(token)}?checkout=cancel`,
          ...(invoice.client?.email ? { customerEmail: invoice.client.email } : {}),
          ...(STRIPE_LOCALES.has(locale) ? { locale } : {}),
          expiresAt: new Date(Math.ceil((Date.now() + SESSION_TTL_MS) / SESSION_TTL_MS) * SESSION_TTL_MS),
        });
        return new RawResponse({ statusCode: 303, headers: { location: session.url, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' } });
      } catch (error) {
        if (!(error instanceof RuleViolation) && !(error instanceof Unavailable)) throw error;
        logger.warn('could not open a Stripe Checkout Session', { invoiceId: invoice.id, error: error as Error });
        return refused(502, state.model, 'cardUnavailable');
      }
    },
  }),
  'POST /webhooks/stripe': route({
    summary:
      "Stripe's webhook events (configure the endpoint as /webhooks/stripe?tenant={tenantId} with the events checkout.session.completed, " +
      'checkout.session.async_payment_succeeded, payment_intent.succeeded, charge.refunded, charge.dispute.closed). The Stripe-Signature is ' +
      "verified on the raw body with the tenant's endpoint secret (older than 300 s: refused); the payment is recorded once (externalId = " +
      'the payment intent), whatever the order and number of deliveries; a payment on a paid invoice stays client credit; refunds and lost disputes reverse it',
    permission: 'public',
    body: StripeEventBody,
    response: Received,
    maxBodyBytes: 256 * 1024,
    errors: [400, 409],
    handler: async (ctx) => {
      const body = ctx.event.body ?? '';
      const rawBody = ctx.event.isBase64Encoded ? Buffer.from(body, 'base64') : body;
      if (Buffer.byteLength(rawBody) > 256 * 1024) throw new InvalidInput('the event is too large', [{ field: 'body', message: 'at most 256 KB' }]);
      const tenantId = await tenantOfEvent(rawBody, (ctx.query as Record<string, string | undefined>).tenant);
      const unverifiable = (message: string) => new InvalidInput(message, [{ field: 'Stripe-Signature', message: 'cannot be verified' }]);
      if (!tenantId) throw unverifiable('the event names no tenant and no payment of ours: its signature cannot be verified');
      const signature = ctx.headers['stripe-signature'];
      const result = await StripeWebhook.receiveStripeEvent(stripeIntakePorts(), { tenantId, rawBody, signature });
      if (!result.handled && result.reason === 'card payment is not set up for this tenant')
        throw unverifiable(`the tenant has no Stripe keys: ${result.reason}`);
      return result.handled ? { received: true, handled: true, eventId: result.eventId } : { received: true, handled: false, reason: result.reason };
    },
  }),
};

export const handler = httpApi(routes, httpDeps);
