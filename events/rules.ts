import { EVENT_SOURCE } from './envelope';
import { events } from './catalog';
import { internalEventTypes } from './internal';

/**
 * The bus rules: which events reach which function. infra/ deploys them as EventBridge rules;
 * the local bus routes with the very same patterns.
 * `target` names a function declared in infra/functions.ts (no function code is imported here).
 */
export interface BusRule {
  name: string;
  description: string;
  pattern: { source: string[]; 'detail-type': string[]; detail?: Record<string, unknown[]> };
  target: string;
}

export const busRules: BusRule[] = [
  {
    name: 'render-requested-documents',
    description: 'Render a pending document to PDF',
    pattern: { source: [EVENT_SOURCE], 'detail-type': [events.documentRequested.detailType] },
    target: 'renderDocument',
  },
  {
    name: 'run-stage-automation',
    description: 'Run the automation rules of the stage an invoice entered, and continue runs waiting for a document or reacting to views',
    pattern: {
      source: [EVENT_SOURCE],
      'detail-type': [
        events.invoiceStageChanged.detailType,
        events.documentCreated.detailType,
        events.documentFailed.detailType,
        events.documentViewed.detailType,
        events.quoteAccepted.detailType,
        events.automationRunRetried.detailType,
      ],
    },
    target: 'runAutomation',
  },
  {
    name: 'run-requested-exports',
    description: 'Build a requested export (a large report) and write its file to S3',
    pattern: { source: [EVENT_SOURCE], 'detail-type': [events.exportRequested.detailType] },
    target: 'runExport',
  },
  {
    name: 'deliver-webhooks',
    description:
      "Fan every event subscribers may receive out into webhook deliveries (one per subscription wanting it) and make their first attempt; a replay's one attempt",
    pattern: {
      source: [EVENT_SOURCE],
      // every event of the catalog but the internal commands (events/internal.ts), and the one internal
      // command that is this function's own: webhook.replay_requested (a replay's attempt)
      'detail-type': Object.values(events)
        .map((e) => e.detailType)
        .filter((t) => !internalEventTypes.has(t) || t === events.webhookReplayRequested.detailType)
        .sort(),
    },
    target: 'deliverWebhooks',
  },
];
