/**
 * Sending limits (issue 14 §3): what one tenant may send through the account's shared SES reputation and SMS
 * spend. Per-tenant daily quotas of e-mails and SMS to clients (settings `sendingLimits`, defaults below,
 * capped), counted atomically once per message when it is claimed (a resend of the same message counts
 * nothing more); a send over the quota answers 429 with Retry-After, and automation marks the message failed
 * with the reason. Days are UTC days. Recipients outside the subject's client need the rule's
 * `allowExternalRecipient` (and are logged in the timeline). Pure: the clock is an argument.
 */
import { Settings, type SendingLimits } from '../documents';

export type Channel = 'email' | 'sms';
export type { SendingLimits };

export const { DEFAULT_SENDING_LIMITS, MAX_SENDING_LIMITS, sendingLimits } = Settings;
export { safeDisplayName, unsafeCharacter } from '../kernel';

export const limitOf = (limits: SendingLimits, channel: Channel) => (channel === 'email' ? limits.emailPerDay : limits.smsPerDay);

/** The quota day of an instant (UTC). */
export function quotaDay(now: string): string {
  return now.slice(0, 10);
}

/** Seconds from `now` until the next quota day begins (at least 1). */
export function retryAfterSeconds(now: string): number {
  const t = Date.parse(now);
  const next = Date.UTC(new Date(t).getUTCFullYear(), new Date(t).getUTCMonth(), new Date(t).getUTCDate() + 1);
  return Math.max(1, Math.ceil((next - t) / 1000));
}

export function overQuotaReason(channel: Channel, limit: number): string {
  return `the daily ${channel === 'email' ? 'e-mail' : 'SMS'} limit (${limit}) is reached; sending resumes tomorrow (UTC), or raise settings.sendingLimits`;
}

/** The addresses of the subject's own client (e-mail, phone), compared loosely (case, spaces, punctuation in phones). */
export function isClientAddress(client: { email?: string; phone?: string }, channel: Channel, to: string): boolean {
  if (channel === 'email') return Boolean(client.email) && client.email!.trim().toLowerCase() === to.trim().toLowerCase();
  const digits = (s: string) => s.replace(/[^\d+]/g, '');
  return Boolean(client.phone) && digits(client.phone!) === digits(to);
}
