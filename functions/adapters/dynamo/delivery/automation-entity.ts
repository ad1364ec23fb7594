import { Entity } from 'electrodb';
import { SERVICE, byIdIndex, bySubjectIndex, ownedAttributes } from '../common';

/** A tenant's automation rule: on entering a stage, run actions; on a client's view, move the stage. */
export const AutomationRuleEntity = new Entity({
  model: { entity: 'automationRule', version: '1', service: SERVICE },
  attributes: {
    ...ownedAttributes,
    name: { type: 'string', required: true },
    entity: { type: ['invoice', 'quote'] as const, required: true },
    stage: { type: 'string', required: true },
    enabled: { type: 'boolean', required: true, default: true },
    actions: { type: 'any', required: true },
    triggers: { type: 'any' },
    /** The rule acts only on events at or after this instant (set when it is created or changed). */
    activeSince: { type: 'string' },
  },
  indexes: { byId: byIdIndex },
});

/**
 * One execution of a rule's actions for one cause (an event). Its id derives from the cause, so a
 * redelivered event finds the run it already started and resumes it instead of starting another.
 */
export const AutomationRunEntity = new Entity({
  model: { entity: 'automationRun', version: '1', service: SERVICE },
  attributes: {
    ...ownedAttributes,
    ruleId: { type: 'string' },
    subjectType: { type: ['invoice', 'quote'] as const, required: true },
    subjectId: { type: 'string', required: true },
    causeEventId: { type: 'string', required: true },
    actor: { type: 'string', required: true },
    status: { type: ['running', 'waiting', 'done', 'failed'] as const, required: true },
    steps: { type: 'any', required: true },
    error: { type: 'string' },
    attempt: { type: 'number' },
  },
  indexes: {
    byId: byIdIndex,
    bySubject: bySubjectIndex,
  },
});
