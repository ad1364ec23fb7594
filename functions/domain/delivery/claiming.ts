import { Unavailable } from '../kernel';
import type { RunStep } from './automation';
import type { MessageRecord } from './message';
import { overQuotaReason, quotaDay } from './limits';
import { waitWith, type DeliveryPorts } from './ports';
import { claimState, leaseUntil, msUntil } from './sending';

/**
 * The claim of a message: a new one, or the takeover of an interrupted one (lease expired; the same
 * Message-ID goes out again), or what was decided before (sent, failed). An unexpired lease is waited out.
 */
export async function claimMessage(
  ports: DeliveryPorts,
  base: MessageRecord,
  dailyLimit: number,
): Promise<{ kind: 'claimed'; message: MessageRecord } | { kind: 'sent'; providerMessageId: string } | { kind: 'failed'; error: string }> {
  const claimed = await claimOrTakeOver(ports, base);
  if (claimed.kind !== 'claimed') return claimed;
  // the tenant's daily quota, counted once per message (a takeover or retry of the same message counts nothing more)
  const now = ports.now();
  const counted = await ports.quota.consume({ tenantId: base.tenantId, channel: base.channel, day: quotaDay(now), limit: dailyLimit, messageId: base.id, now });
  if (counted === 'over') {
    const reason = overQuotaReason(base.channel, dailyLimit);
    await ports.messages.markFailed(claimed.message, reason);
    return { kind: 'failed', error: reason };
  }
  return claimed;
}

async function claimOrTakeOver(
  ports: DeliveryPorts,
  base: MessageRecord,
): Promise<{ kind: 'claimed'; message: MessageRecord } | { kind: 'sent'; providerMessageId: string } | { kind: 'failed'; error: string }> {
  for (let look = 0; look < 3; look++) {
    const now = ports.now();
    const fresh = { ...base, leaseUntil: leaseUntil(now), updatedAt: now };
    const claim = await ports.messages.claim(fresh);
    if (claim.claimed) return { kind: 'claimed', message: fresh };
    const state = claimState(claim.existing, now);
    if (state.kind === 'sent' || state.kind === 'failed') return state;
    if (state.kind === 'held') {
      await waitWith(ports, msUntil(state.until, now) + 50);
      continue;
    }
    const next = { leaseUntil: leaseUntil(now), now };
    if (await ports.messages.takeOver(claim.existing, next)) {
      return {
        kind: 'claimed',
        message: {
          ...claim.existing,
          ...fresh,
          createdAt: claim.existing.createdAt,
          attempts: (claim.existing.attempts ?? 1) + 1,
          version: claim.existing.version + 1,
          leaseUntil: next.leaseUntil,
        },
      };
    }
  }
  throw new Unavailable(`the message ${base.id} is being sent by another worker`);
}

/** A message that could not even be attempted (no address, no document): recorded failed, visibly. */
export async function failUnsent(ports: DeliveryPorts, step: RunStep, base: MessageRecord, reason: string): Promise<'done' | 'failed'> {
  const claim = await ports.messages.claim(base);
  if (!claim.claimed) {
    const state = claimState(claim.existing, ports.now());
    if (state.kind === 'sent') return 'done';
    if (state.kind !== 'failed') await ports.messages.markFailed(claim.existing, reason);
  } else await ports.messages.markFailed(base, reason);
  step.result = { ...step.result, messageId: base.id };
  step.error = reason;
  return 'failed';
}

export async function failSent(ports: DeliveryPorts, step: RunStep, message: MessageRecord, reason: string): Promise<'failed'> {
  await ports.messages.markFailed(message, reason);
  step.result = { ...step.result, messageId: message.id };
  step.error = reason;
  return 'failed';
}

/** Records a sent message, retrying the write: if it is lost, the lease expires and a replay resends (same Message-ID). */
export async function recordSent(ports: DeliveryPorts, message: MessageRecord, providerMessageId: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await ports.messages.markSent(message, providerMessageId);
      return;
    } catch (error) {
      if (attempt >= 4) throw error;
      await waitWith(ports, 100 * 2 ** attempt);
    }
  }
}
