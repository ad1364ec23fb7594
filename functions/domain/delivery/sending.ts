/**
 * The message protocol: how one e-mail or SMS goes out at least once, visibly, and never twice by our own doing.
 *
 *   claim     a conditional put of the message in status `sending`, with a lease (`leaseUntil`) and attempt 1.
 *   send      the provider call, bounded well under the lease; transient failures retried with backoff
 *             (SEND_ATTEMPTS in all) while the lease is held.
 *   record    status `sent` with the provider's id (+ timeline entry + message.sent), conditioned on `sending`.
 *   fail      status `failed` with the reason (+ timeline entry + message.failed): the provider refused it,
 *             stayed unavailable through every attempt, or there was nothing to send (no address, no document).
 *
 * A crash between claim and record leaves the message `sending`. The rule: whoever finds it after its lease
 * has expired takes it over (a conditional write on the version it read) and sends it again with the SAME
 * `Message-ID` header (derived from the message id), so the client's mail system recognises a copy of a
 * message that did reach it; while the lease holds, the finder waits for it to expire (the holder is either
 * still sending or dead). A message is therefore never left `sending` for good, and never silently dropped.
 *
 * Pure: the clock is an argument (ISO instants), nothing here sleeps.
 */
import type { MessageRecord } from './message';

/** How long a claim is held: longer than a send can take (SEND_TIMEOUT_MS per attempt, SEND_ATTEMPTS with backoff). */
export const LEASE_MS = 30_000;
/** A provider call gives up after this (the adapters bound their requests to it). */
export const SEND_TIMEOUT_MS = 8_000;
/** Provider calls per claim before a transient failure becomes a visible failure. */
export const SEND_ATTEMPTS = 3;

/** The wait before attempt `attempt + 1` (attempt counts from 1): 1 s, 2 s, 4 s ... capped at 8 s. */
export function backoffMs(attempt: number): number {
  return Math.min(8_000, 1_000 * 2 ** (attempt - 1));
}

export function leaseUntil(now: string, ms = LEASE_MS): string {
  return new Date(Date.parse(now) + ms).toISOString();
}

/**
 * What a claim that found the message already there means.
 * - sent: done before (a redelivery): nothing to send.
 * - failed: failed before: stays failed until a person retries it.
 * - takeover: a previous attempt was interrupted (its lease expired): send again, same Message-ID.
 * - held: someone holds the lease: wait until `until`, then look again.
 */
export type ClaimState =
  | { kind: 'sent'; providerMessageId: string }
  | { kind: 'failed'; error: string }
  | { kind: 'takeover' }
  | { kind: 'held'; until: string };

export function claimState(existing: Pick<MessageRecord, 'status' | 'leaseUntil' | 'providerMessageId' | 'error'>, now: string): ClaimState {
  if (existing.status === 'sent') return { kind: 'sent', providerMessageId: existing.providerMessageId ?? '' };
  if (existing.status === 'failed') return { kind: 'failed', error: existing.error ?? 'failed before' };
  // a claim written before leases existed has none: it can only be an interrupted one
  if (!existing.leaseUntil || Date.parse(existing.leaseUntil) <= Date.parse(now)) return { kind: 'takeover' };
  return { kind: 'held', until: existing.leaseUntil };
}

/** Milliseconds from `now` until `until` (0 when past), never more than a lease. */
export function msUntil(until: string, now: string): number {
  return Math.max(0, Math.min(LEASE_MS, Date.parse(until) - Date.parse(now)));
}

/**
 * The RFC 5322 Message-ID of a message: the same for every (re)send of it, so that a copy is recognisable.
 * The domain part is the sending address's domain.
 */
export function rfcMessageId(messageId: string, from: string): string {
  const address = /<([^>]+)>\s*$/.exec(from)?.[1] ?? from;
  const domain = address.includes('@') ? address.slice(address.lastIndexOf('@') + 1).replace(/[^A-Za-z0-9.-]/g, '') : '';
  return `<${messageId}@${domain || 'crm.invalid'}>`;
}
