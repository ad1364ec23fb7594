import * as z from 'zod';
import { Retries, type AutomationRule, type AutomationRun, type MessageRecord } from '../../domain/delivery';
import { newId, NotFound, nowIso } from '../../domain/kernel';
import { httpApi } from '../../shared/http/api';
import { route } from '../../shared/http/route';
import { delivery } from '../../shared/wiring/automation';
import { httpDeps } from '../../shared/wiring/http';
import { page } from './schemas/common';
import { MessageListQuery, MessageView, RuleBody, RuleView, RunListQuery, RunView } from './schemas/automation';

const view = ({ tenantId: _t, ...rule }: AutomationRule) => rule;

const runView = ({ tenantId: _t, error, steps, ...run }: AutomationRun) => ({
  ...run,
  steps: steps.map(({ error: stepError, ...step }) => ({ ...step, ...(stepError ? { error: stepError } : {}) })),
  ...(error ? { error } : {}),
});

const messageView = ({ tenantId: _t, error, stepIndex: _s, ...m }: MessageRecord) => ({
  ...m,
  ...(error && m.status === 'failed' ? { failureReason: error } : {}),
});

const retryPorts = () => ({ now: nowIso, runs: delivery().runs, messages: delivery().messages });

export const routes = {
  'GET /v1/automation/rules': route({
    summary: "The tenant's automation rules",
    permission: 'automation:read',
    response: z.object({ data: z.array(RuleView), nextCursor: z.null() }),
    handler: async ({ caller }) => ({ data: (await delivery().rules.list(caller.tenantId)).map(view), nextCursor: null }),
  }),
  'POST /v1/automation/rules': route({
    summary: 'Add an automation rule to a stage',
    permission: 'automation:write',
    body: RuleBody,
    response: RuleView,
    status: 201,
    handler: async ({ caller, body }) => {
      const now = nowIso();
      const { version: _v, ...fields } = body;
      const rule: AutomationRule = {
        ...fields,
        name: fields.name ?? `On ${fields.stage}`,
        tenantId: caller.tenantId,
        id: newId('rule'),
        version: 1,
        // a rule acts only on events from now on (never on a replay of older ones)
        activeSince: now,
        createdAt: now,
        updatedAt: now,
      };
      return view(await delivery().rules.put(rule));
    },
  }),
  'GET /v1/automation/rules/{id}': route({
    summary: 'An automation rule',
    permission: 'automation:read',
    response: RuleView,
    handler: async ({ caller, params }) => {
      const rule = await delivery().rules.get(caller.tenantId, params.id);
      if (!rule) throw new NotFound('automation rule');
      return view(rule);
    },
  }),
  'PUT /v1/automation/rules/{id}': route({
    summary: 'Replace an automation rule (If-Match or version for optimistic concurrency)',
    permission: 'automation:write',
    body: RuleBody,
    response: RuleView,
    errors: [409],
    handler: async ({ caller, params, body, ifMatch }) => {
      const current = await delivery().rules.get(caller.tenantId, params.id);
      if (!current) throw new NotFound('automation rule');
      const { version, ...fields } = body;
      const now = nowIso();
      // changed: it acts as it is now only on events from now on
      const next: AutomationRule = {
        ...current,
        ...fields,
        triggers: fields.triggers ?? [],
        name: fields.name ?? current.name,
        activeSince: now,
        updatedAt: now,
      };
      return view(await delivery().rules.put(next, ifMatch ?? version ?? current.version));
    },
  }),
  'DELETE /v1/automation/rules/{id}': route({
    summary: 'Delete an automation rule',
    permission: 'automation:delete',
    status: 204,
    handler: async ({ caller, params }) => {
      if (!(await delivery().rules.get(caller.tenantId, params.id))) throw new NotFound('automation rule');
      await delivery().rules.remove(caller.tenantId, params.id);
    },
  }),
  'GET /v1/automation/runs': route({
    summary: 'Automation runs, newest first, each with its steps (status=failed: what did not happen, and why)',
    permission: 'automation:read',
    query: RunListQuery,
    response: page(RunView),
    handler: async ({ caller, query }) => {
      const { limit, cursor, ...filter } = query;
      const result = await delivery().runs.list(caller.tenantId, filter, { limit, cursor });
      return { data: result.data.map(runView), nextCursor: result.nextCursor };
    },
  }),
  'GET /v1/automation/runs/{id}': route({
    summary: 'An automation run and its steps',
    permission: 'automation:read',
    response: RunView,
    handler: async ({ caller, params }) => {
      const run = await delivery().runs.get(caller.tenantId, params.id);
      if (!run) throw new NotFound('automation run');
      return runView(run);
    },
  }),
  'POST /v1/automation/runs/{id}/retry': route({
    summary: 'Try a failed run again from its failed step (a failed render gets a new document; a failed message keeps its Message-ID)',
    permission: 'messages:write',
    response: RunView,
    status: 202,
    errors: [409],
    handler: async ({ caller, params }) => runView(await Retries.retryRun(retryPorts(), { tenantId: caller.tenantId, id: params.id })),
  }),
  'GET /v1/messages': route({
    summary: 'E-mails and SMS to clients, newest first, with status, provider id, recipient and failure reason',
    permission: 'messages:read',
    query: MessageListQuery,
    response: page(MessageView),
    handler: async ({ caller, query }) => {
      const { limit, cursor, ...filter } = query;
      const result = await delivery().messages.list(caller.tenantId, filter, { limit, cursor });
      return { data: result.data.map(messageView), nextCursor: result.nextCursor };
    },
  }),
  'GET /v1/messages/{id}': route({
    summary: 'An e-mail or SMS to a client',
    permission: 'messages:read',
    response: MessageView,
    handler: async ({ caller, params }) => {
      const message = await delivery().messages.get(caller.tenantId, params.id);
      if (!message) throw new NotFound('message');
      return messageView(message);
    },
  }),
  'POST /v1/messages/{id}/retry': route({
    summary: 'Send a failed message again (the run that asked for it is retried; same Message-ID)',
    permission: 'messages:write',
    response: MessageView,
    status: 202,
    errors: [409],
    handler: async ({ caller, params }) => messageView((await Retries.retryMessage(retryPorts(), { tenantId: caller.tenantId, id: params.id })).message),
  }),
};

export const handler = httpApi(routes, httpDeps);
