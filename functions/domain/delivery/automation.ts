import { Conflict, derivedId } from '../kernel';

/**
 * Automation rules and runs, as plain data. A rule says what happens when an invoice enters a
 * stage (actions, run in order) and what a client's view moves (triggers). A run executes one
 * rule for one cause; its step states make it resumable, so retries never repeat a side effect.
 */
export type { AutomationRule as Rule, AutomationRun as Run };

export type Action =
  | { type: 'create_document'; templateId?: string }
  | { type: 'send_email'; subject?: string; body?: string; attach?: 'document' | 'none'; to?: string }
  | { type: 'send_sms'; text?: string; to?: string }
  | { type: 'notify_responsible'; message?: string }
  | { type: 'move_to_stage'; stage: string }
  /** Quote rules (entity 'quote', stage ACCEPTED): the invoice from the quote, optionally moved on (e.g. to SENT). */
  | { type: 'create_invoice'; moveTo?: string; dueInDays?: number };

export type Trigger = { type: 'email_opened' | 'link_opened'; moveTo: string };

export interface AutomationRule {
  tenantId: string;
  id: string;
  name: string;
  /** 'invoice': on entering an invoice stage; 'quote': on a quote event (stage ACCEPTED: the client accepted it). */
  entity: 'invoice' | 'quote';
  stage: string;
  enabled: boolean;
  actions: Action[];
  triggers?: Trigger[];
  /**
   * The rule acts only on events that happened at or after this instant: when it was created or last changed
   * (a replay of older events, or a re-created stream mapping, never meets today's rules). Rules stored before
   * it existed read it as their updatedAt.
   */
  activeSince?: string;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export type StepStatus = 'pending' | 'waiting' | 'done' | 'failed' | 'skipped';

export interface RunStep {
  action: Action;
  status: StepStatus;
  /** What the step produced: documentId, messageId... */
  result?: Record<string, string>;
  error?: string;
}

export interface AutomationRun {
  tenantId: string;
  id: string;
  ruleId?: string;
  subjectType: 'invoice' | 'quote';
  subjectId: string;
  causeEventId: string;
  actor: string;
  status: 'running' | 'waiting' | 'done' | 'failed';
  steps: RunStep[];
  error?: string;
  /** 1, plus one per retry a person asked for (a retried render gets a new document). */
  attempt?: number;
  version: number;
  createdAt: string;
  updatedAt: string;
}

/** The standard scenario every new tenant starts with. */
export function standardRules(): Pick<AutomationRule, 'name' | 'entity' | 'stage' | 'enabled' | 'actions' | 'triggers'>[] {
  return [
    {
      name: 'Send the invoice when it is sent to the client',
      entity: 'invoice',
      stage: 'SENT',
      enabled: true,
      actions: [{ type: 'create_document' }, { type: 'send_email', attach: 'document' }],
      triggers: [
        { type: 'email_opened', moveTo: 'VIEWED' },
        { type: 'link_opened', moveTo: 'VIEWED' },
      ],
    },
    {
      // the invoice follows an accepted quote and goes out at once (SENT: the invoice rule above renders and
      // e-mails it), and the quote's responsible user (else the tenant's notifyEmail) is told; a tenant that
      // wants a draft to check first removes moveTo (PUT /v1/automation/rules/{id})
      name: 'Invoice and send a quote when the client accepts it, and tell the seller',
      entity: 'quote',
      stage: 'ACCEPTED',
      enabled: true,
      actions: [{ type: 'create_invoice', moveTo: 'SENT', dueInDays: 30 }, { type: 'notify_responsible' }],
    },
  ];
}

/** Whether the tenant's rules tell someone at the seller's when a client accepts a quote. */
export function notifiesOnAcceptance(rules: Pick<AutomationRule, 'enabled' | 'entity' | 'stage' | 'actions'>[]): boolean {
  return rules.some((r) => r.enabled && r.entity === 'quote' && r.stage === 'ACCEPTED' && r.actions.some((a) => a.type === 'notify_responsible'));
}

/** The stage a quote rule may name: the event it reacts to. */
export const QUOTE_RULE_STAGES = ['ACCEPTED'] as const;

export function newRun(input: {
  tenantId: string;
  subjectType: 'invoice' | 'quote';
  subjectId: string;
  causeEventId: string;
  actor: string;
  ruleId?: string;
  actions: Action[];
  now: string;
}): AutomationRun {
  return {
    tenantId: input.tenantId,
    id: derivedId('run', input.tenantId, input.causeEventId, input.ruleId ?? 'adhoc'),
    ruleId: input.ruleId,
    subjectType: input.subjectType,
    subjectId: input.subjectId,
    causeEventId: input.causeEventId,
    actor: input.actor,
    status: 'running',
    steps: input.actions.map((action) => ({ action, status: 'pending' })),
    version: 1,
    createdAt: input.now,
    updatedAt: input.now,
  };
}

/**
 * A failed run tried again (POST /v1/automation/runs/{id}/retry, or the retry of one of its messages): its
 * failed steps pending again, the run running, one more attempt. The failed messages of those steps are
 * returned so the same transaction makes them claimable again (same message, same Message-ID).
 */
export function retried(run: AutomationRun, now: string): { run: AutomationRun; messageIds: string[] } {
  if (run.status !== 'failed') throw new Conflict(`the automation run is ${run.status}; only a failed run can be retried`);
  const messageIds: string[] = [];
  const steps = run.steps.map((step): RunStep => {
    if (step.status !== 'failed') return step;
    if (step.result?.messageId) messageIds.push(step.result.messageId);
    // a failed render gets a new document on retry; a message keeps its id (and its Message-ID)
    const result = step.action.type === 'create_document' ? undefined : step.result;
    return { action: step.action, status: 'pending', ...(result ? { result } : {}) };
  });
  return { run: { ...run, steps, status: 'running', error: undefined, attempt: (run.attempt ?? 1) + 1, updatedAt: now }, messageIds };
}

/** The document a run's create_document step asks for: one per step and retry. */
export function documentIdFor(run: AutomationRun, index: number): string {
  const attempt = run.attempt ?? 1;
  return attempt > 1 ? derivedId('document', run.id, String(index), String(attempt)) : derivedId('document', run.id, String(index));
}

/** Whether a rule acts on an event that happened at `eventTime`: only one at or after its activeSince. */
export function actsOn(rule: Pick<AutomationRule, 'activeSince' | 'updatedAt' | 'createdAt'>, eventTime: string | undefined): boolean {
  const since = rule.activeSince ?? rule.updatedAt ?? rule.createdAt;
  if (!since || !eventTime) return true;
  return Date.parse(eventTime) >= Date.parse(since);
}

/** The document a send step attaches: the one the closest earlier create_document step produced. */
export function documentForStep(run: AutomationRun, index: number): string | undefined {
  for (let i = index - 1; i >= 0; i--) {
    const step = run.steps[i];
    if (step.action.type === 'create_document' && step.result?.documentId) return step.result.documentId;
  }
  return undefined;
}

/** Which stage a client's view moves the invoice to, if any: only forward, never out of a closed stage. */
export function stageAfterView(input: {
  rules: AutomationRule[];
  via: 'link' | 'email_open';
  currentStage: string;
  stageOrder: string[];
  closedStages: string[];
}): string | undefined {
  const type = input.via === 'link' ? 'link_opened' : 'email_opened';
  if (input.closedStages.includes(input.currentStage)) return undefined;
  const current = input.stageOrder.indexOf(input.currentStage);
  for (const rule of input.rules) {
    if (!rule.enabled) continue;
    for (const trigger of rule.triggers ?? []) {
      if (trigger.type !== type) continue;
      const target = input.stageOrder.indexOf(trigger.moveTo);
      if (target > current && current >= 0) return trigger.moveTo;
    }
  }
  return undefined;
}
