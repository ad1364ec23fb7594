import * as z from 'zod';
import type { AutomationRule } from '../../domain/delivery';
import { newId, NotFound, nowIso } from '../../domain/kernel';
import { httpApi } from '../../shared/http/api';
import { route } from '../../shared/http/route';
import { delivery } from '../../shared/wiring/automation';
import { httpDeps } from '../../shared/wiring/http';
import { RuleBody, RuleView } from './schemas/delivery';

const view = ({ tenantId: _t, ...rule }: AutomationRule) => rule;

export const routes = {
  'GET /v1/automation/rules': route({
    summary: "The tenant's automation rules",
    permission: 'automation:read',
    response: z.object({ data: z.array(RuleView) }),
    handler: async ({ caller }) => ({ data: (await delivery().rules.list(caller.tenantId)).map(view) }),
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
      const next: AutomationRule = { ...current, ...fields, triggers: fields.triggers ?? [], name: fields.name ?? current.name, updatedAt: nowIso() };
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
};

export const handler = httpApi(routes, httpDeps);
