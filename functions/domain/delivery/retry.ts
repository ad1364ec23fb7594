/**
 * The one-call retries of what failed visibly: a failed automation run (POST /v1/automation/runs/{id}/retry)
 * or a failed message (POST /v1/messages/{id}/retry: the run that asked for it, retried). The run's failed
 * steps become pending, its failed messages claimable again (same id, same Message-ID), and automation
 * resumes it on the automation.run_retried event (the HTTP function sends nothing itself).
 */
import { Conflict, NotFound } from '../kernel';
import { retried, type AutomationRun } from './automation';
import type { MessageRecord } from './message';

export interface RetryPorts {
  now(): string;
  runs: {
    get(tenantId: string, id: string): Promise<AutomationRun | null>;
    retry(run: AutomationRun, expectedVersion: number, messageIds: string[], retriedMessageId?: string): Promise<void>;
  };
  messages: { get(tenantId: string, id: string): Promise<MessageRecord | null> };
}

export async function retryRun(ports: RetryPorts, input: { tenantId: string; id: string; messageId?: string }): Promise<AutomationRun> {
  const run = await ports.runs.get(input.tenantId, input.id);
  if (!run) throw new NotFound('automation run');
  const next = retried(run, ports.now());
  await ports.runs.retry(next.run, run.version, next.messageIds, input.messageId);
  return { ...next.run, version: run.version + 1 };
}

export async function retryMessage(ports: RetryPorts, input: { tenantId: string; id: string }): Promise<{ message: MessageRecord; run: AutomationRun }> {
  const message = await ports.messages.get(input.tenantId, input.id);
  if (!message) throw new NotFound('message');
  if (message.status !== 'failed') throw new Conflict(`the message is ${message.status}; only a failed message can be retried`);
  if (!message.runId) throw new Conflict('the message was sent before retries existed; send it again instead');
  const run = await retryRun(ports, { tenantId: input.tenantId, id: message.runId, messageId: message.id });
  return { message: { ...message, status: 'sending', error: undefined, leaseUntil: run.updatedAt, updatedAt: run.updatedAt }, run };
}
