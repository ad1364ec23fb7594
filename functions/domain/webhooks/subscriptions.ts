/**
 * Webhook subscriptions: an endpoint URL, the event types it wants, a description, a paused flag and
 * its signing secrets.
 *
 * Secrets follow the Standard Webhooks form `whsec_<base64 of 32 random bytes>`; the API shows a new
 * secret once and never again (it is stored sealed through the SecretCipher port). Rotation adds a new
 * secret and lets the old one live on for an overlap (24 h unless told), during which every message is
 * signed with both (`webhook-signature: v1,<new> v1,<old>`), so the subscriber can switch at leisure.
 *
 * URL rules (the sender checks again at every attempt, after resolving the host name): absolute, `https`,
 * no user name or password, no fragment, at most 2048 characters, and a host that is not an address
 * literal outside the public internet (see address-policy.ts). Local runs may allow `http` to loopback.
 *
 * Generic in the secret's type `S`: the domain rules do not care whether a secret is sealed or plain.
 */
import { randomBytes } from 'node:crypto';
import { type FieldError, RuleViolation } from '../kernel';
import { judgeAddress, literalAddress, type AddressPolicy } from './address-policy';
import { patternProblem } from './messages';

export const MAX_URL_LENGTH = 2048;
export const MAX_EVENT_PATTERNS = 50;
export const MAX_DESCRIPTION_LENGTH = 500;
/** How long a rotated-out secret stays valid unless the caller says otherwise. */
export const DEFAULT_ROTATION_OVERLAP_MS = 24 * 3600 * 1000;
/** Most secrets kept at once (the current one and those still in their overlap). */
export const MAX_LIVE_SECRETS = 3;

export interface SubscriptionSecret<S> {
  value: S;
  createdAt: string;
  /** When it stops signing; null for the current secret. */
  expiresAt: string | null;
}

export interface WebhookSubscription<S> {
  tenantId: string;
  id: string;
  url: string;
  events: string[];
  description?: string;
  paused: boolean;
  /** Newest first; the first is the current one. */
  secrets: SubscriptionSecret<S>[];
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface SubscriptionInput {
  url: string;
  events: string[];
  description?: string;
}

/** A new signing secret: `whsec_` + base64 of 32 random bytes (the form Standard Webhooks libraries read). */
export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/** Problems of an endpoint URL under the policy (empty when it is acceptable). */
export function urlProblems(url: string, policy: AddressPolicy, field = 'url'): FieldError[] {
  if (url.length > MAX_URL_LENGTH) return [{ field, message: `at most ${MAX_URL_LENGTH} characters` }];
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return [{ field, message: 'must be an absolute URL' }];
  }
  const errors: FieldError[] = [];
  const literal = literalAddress(parsed.hostname);
  const loopbackHost = parsed.hostname === 'localhost' || parsed.hostname.endsWith('.localhost');
  const verdict = literal ? judgeAddress(literal, policy) : null;
  const isLoopback = (verdict?.allowed && verdict.loopback) || (loopbackHost && policy.allowLoopback);
  if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && isLoopback)) {
    errors.push({ field, message: policy.allowLoopback ? 'must use https (http only to a loopback host)' : 'must use https' });
  }
  if (parsed.username || parsed.password) errors.push({ field, message: 'must not carry a user name or password' });
  if (parsed.hash) errors.push({ field, message: 'must not carry a fragment' });
  if (verdict && !verdict.allowed) errors.push({ field, message: `refused destination: ${verdict.reason}` });
  if (loopbackHost && !policy.allowLoopback) errors.push({ field, message: 'refused destination: a loopback host' });
  return errors;
}

/** The checked, normalised input; RuleViolation naming every bad field otherwise. */
export function validateSubscriptionInput(input: SubscriptionInput, policy: AddressPolicy): SubscriptionInput {
  const errors = urlProblems(input.url, policy);
  if (input.events.length === 0) errors.push({ field: 'events', message: 'name at least one event type' });
  if (input.events.length > MAX_EVENT_PATTERNS) errors.push({ field: 'events', message: `at most ${MAX_EVENT_PATTERNS} entries` });
  input.events.forEach((pattern, i) => {
    const problem = patternProblem(pattern);
    if (problem) errors.push({ field: `events[${i}]`, message: problem });
  });
  const description = input.description?.trim();
  if (description !== undefined && description.length > MAX_DESCRIPTION_LENGTH) {
    errors.push({ field: 'description', message: `at most ${MAX_DESCRIPTION_LENGTH} characters` });
  }
  if (errors.length > 0) throw new RuleViolation('the webhook subscription cannot be accepted', errors);
  return { url: input.url, events: [...new Set(input.events)], ...(description ? { description } : {}) };
}

/** A new, active subscription with its first secret. */
export function newSubscription<S>(
  input: SubscriptionInput,
  meta: { tenantId: string; id: string; now: string; secret: S },
  policy: AddressPolicy,
): WebhookSubscription<S> {
  const valid = validateSubscriptionInput(input, policy);
  return {
    tenantId: meta.tenantId,
    id: meta.id,
    ...valid,
    paused: false,
    secrets: [{ value: meta.secret, createdAt: meta.now, expiresAt: null }],
    version: 1,
    createdAt: meta.now,
    updatedAt: meta.now,
  };
}

/** The secrets that sign a message sent at `at`: the current one first, then those still in their overlap. */
export function signingSecrets<S>(subscription: Pick<WebhookSubscription<S>, 'secrets'>, at: string): S[] {
  const t = Date.parse(at);
  return subscription.secrets.filter((s) => s.expiresAt === null || Date.parse(s.expiresAt) > t).map((s) => s.value);
}

/**
 * The subscription with `secret` as its current secret. Every previous secret expires at the latest when
 * the overlap ends (0 ends them all at once, as after a leak); expired ones are dropped, and at most
 * MAX_LIVE_SECRETS stay.
 */
export function rotateSecret<S>(
  subscription: WebhookSubscription<S>,
  secret: S,
  now: string,
  overlapMs: number = DEFAULT_ROTATION_OVERLAP_MS,
): WebhookSubscription<S> {
  if (!Number.isFinite(overlapMs) || overlapMs < 0 || overlapMs > 7 * DEFAULT_ROTATION_OVERLAP_MS) {
    throw new RuleViolation('the overlap must be between 0 and 7 days', [{ field: 'overlapSeconds', message: 'between 0 and 604800' }]);
  }
  const t = Date.parse(now);
  const until = t + overlapMs;
  const kept = subscription.secrets
    .map((s) => ({ ...s, expiresAt: new Date(Math.min(until, s.expiresAt === null ? until : Date.parse(s.expiresAt))).toISOString() }))
    .filter((s) => Date.parse(s.expiresAt) > t);
  return {
    ...subscription,
    secrets: [{ value: secret, createdAt: now, expiresAt: null }, ...kept].slice(0, MAX_LIVE_SECRETS),
    version: subscription.version + 1,
    updatedAt: now,
  };
}

/** A change of url, events, description or paused, validated like a new subscription. */
export function changeSubscription<S>(
  subscription: WebhookSubscription<S>,
  changes: Partial<SubscriptionInput> & { paused?: boolean },
  now: string,
  policy: AddressPolicy,
): WebhookSubscription<S> {
  const merged = {
    url: changes.url ?? subscription.url,
    events: changes.events ?? subscription.events,
    description: changes.description ?? subscription.description,
  };
  const valid = validateSubscriptionInput(merged, policy);
  const { description: _dropped, ...rest } = subscription;
  return {
    ...rest,
    ...valid,
    paused: changes.paused ?? subscription.paused,
    version: subscription.version + 1,
    updatedAt: now,
  };
}
