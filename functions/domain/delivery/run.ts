import { Document } from '../documents';
import { QuotaExceeded, RuleViolation } from '../kernel';
import { documentIdFor, newRun, wakeAt, type Action, type AutomationRun } from './automation';
import { isClientAddress, limitOf, overQuotaReason, quotaDay, retryAfterSeconds, sendingLimits } from './limits';
import type { DeliveryPorts } from './ports';
import { sendStep } from './send-step';
import type { DeliverySubject } from './subject';

export { publicUrl } from './ports';
export type { DeliveryPorts } from './ports';

/**
 * Runs the run's steps from where it stands. Returns when it finishes, fails, or waits for a
 * document to be rendered (the document.created event resumes it). Safe to call again at any time.
 */
export async function advance(ports: DeliveryPorts, initial: AutomationRun): Promise<AutomationRun> {
  let run = initial;
  const save = async () => {
    run.updatedAt = ports.now();
    run = await ports.runs.save(run);
  };
  for (let index = 0; index < run.steps.length; index++) {
    const step = run.steps[index];
    if (step.status === 'done' || step.status === 'skipped') continue;
    if (step.status === 'failed') break;
    const action = step.action;
    if (action.delay && ports.wakeups) {
      const at = step.result?.wakeAt;
      if (!at) {
        // sleep: the wake-up first (idempotent), then the run says what it waits for
        const wake = wakeAt(ports.now(), action.delay);
        await ports.wakeups.schedule({ tenantId: run.tenantId, runId: run.id, stepIndex: index, at: wake });
        step.status = 'waiting';
        step.result = { ...step.result, wakeAt: wake };
        run.status = 'waiting';
        await save();
        return run;
      }
      if (at > ports.now()) return run; // not yet
      if (step.result?.woke !== 'true') {
        // woken: the invoice left the stage the rule fired on (viewed, paid...): the rest of the run is skipped
        const subject = run.whileStage && run.subjectType === 'invoice' ? await ports.subjects.get(run.tenantId, 'invoice', run.subjectId) : null;
        if (subject?.stage && subject.stage !== run.whileStage) {
          for (const rest of run.steps.slice(index)) if (rest.status !== 'done') rest.status = 'skipped';
          step.error = `the invoice moved to ${subject.stage} meanwhile`;
          break;
        }
        step.status = 'pending';
        step.result = { ...step.result, woke: 'true' };
        run.status = 'running';
        await save();
      }
    }
    if (action.type === 'create_document') {
      const documentId = step.result?.documentId ?? documentIdFor(run, index);
      if (step.status === 'pending') {
        const { doc, link } = Document.prepare({
          tenantId: run.tenantId,
          id: documentId,
          subjectType: run.subjectType,
          subjectId: run.subjectId,
          templateId: action.templateId,
          createdBy: run.actor,
          cause: { runId: run.id, actionIndex: index },
          now: ports.now(),
        });
        await ports.documents.request(doc, link);
        step.status = 'waiting';
        step.result = { documentId };
        run.status = 'waiting';
        await save();
      }
      const doc = await ports.documents.get(run.tenantId, documentId);
      if (doc?.status === 'ready') {
        step.status = 'done';
        run.status = 'running';
        await save();
        continue;
      }
      if (doc?.status === 'failed') {
        step.status = 'failed';
        step.error = doc.reason ?? 'the document could not be rendered';
        break;
      }
      return run; // waiting for document.created
    }
    if (action.type === 'move_to_stage') {
      // `move` is a no-op when the invoice is already there (a retry after the move committed)
      await ports.stages.move(run.tenantId, run.subjectId, action.stage, run.actor);
      step.status = 'done';
      await save();
      continue;
    }
    step.status = await sendStep(ports, run, index, step);
    await save();
    if (step.status === 'failed') break;
  }
  const failed = run.steps.find((s) => s.status === 'failed');
  run.status = failed ? 'failed' : 'done';
  run.error = failed?.error;
  await save();
  return run;
}

/**
 * Sends a subject now, as a person asked (not a rule): an ad-hoc run of [send], reusing the latest
 * ready document, or [create_document, send] when there is none (or another template is asked for);
 * the run waits for the render and document.created resumes it.
 */
export async function deliverNow(
  ports: DeliveryPorts,
  input: {
    tenantId: string;
    subjectType: 'invoice' | 'quote';
    subjectId: string;
    actor: string;
    send: Action;
    templateId?: string;
    readyDocumentId?: string;
    causeEventId: string;
    /** The person allowed an address outside the subject's client (checked by checkSend). */
    allowExternalRecipient?: boolean;
  },
): Promise<AutomationRun> {
  const actions: Action[] = input.readyDocumentId ? [input.send] : [{ type: 'create_document', templateId: input.templateId }, input.send];
  const run = newRun({
    tenantId: input.tenantId,
    subjectType: input.subjectType,
    subjectId: input.subjectId,
    causeEventId: input.causeEventId,
    actor: input.actor,
    actions,
    now: ports.now(),
    allowExternalRecipient: input.allowExternalRecipient,
  });
  if (input.readyDocumentId) run.steps[0].result = { documentId: input.readyDocumentId };
  return start(ports, run);
}

/**
 * What a person's send is checked against before it starts (POST .../send): an address outside the subject's
 * client needs `allowExternalRecipient` (422 naming the field), and the tenant's daily quota of the channel must
 * not be used up (429 with Retry-After). The quota is then counted atomically when the message is claimed.
 */
export async function checkSend(
  ports: Pick<DeliveryPorts, 'now' | 'tenants' | 'quota'>,
  input: { tenantId: string; channel: 'email' | 'sms'; to: string; client: DeliverySubject['client']; allowExternalRecipient?: boolean },
): Promise<void> {
  if (!isClientAddress(input.client, input.channel, input.to) && !input.allowExternalRecipient) {
    throw new RuleViolation(`${input.to} is not an address of the client: say allowExternalRecipient: true to send to it`, [
      { field: 'allowExternalRecipient', message: 'required to send to an address outside the client' },
    ]);
  }
  const now = ports.now();
  const limit = limitOf(sendingLimits((await ports.tenants.get(input.tenantId))?.settings), input.channel);
  if ((await ports.quota.used(input.tenantId, input.channel, quotaDay(now))) >= limit) {
    throw new QuotaExceeded(overQuotaReason(input.channel, limit), retryAfterSeconds(now), [
      { field: 'channel', message: `the daily ${input.channel === 'email' ? 'e-mail' : 'SMS'} limit is reached` },
    ]);
  }
}

/** Starts (or, for a redelivered cause, resumes) a run. */
export async function start(ports: DeliveryPorts, run: AutomationRun): Promise<AutomationRun> {
  const created = await ports.runs.create(run);
  const current = created === 'created' ? run : await ports.runs.get(run.tenantId, run.id);
  if (!current || current.status === 'done' || current.status === 'failed') return current ?? run;
  return advance(ports, current);
}
