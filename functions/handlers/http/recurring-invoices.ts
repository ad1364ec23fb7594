import { Calendar, RecurringInvoices } from '../../domain/scheduling';
import { httpApi } from '../../shared/http/api';
import { callerActor, route } from '../../shared/http/route';
import { httpDeps } from '../../shared/wiring/http';
import { recurringPorts } from '../../shared/wiring/scheduling';
import { ListQuery, page } from './schemas/common';
import { PreviewQuery, PreviewView, RecurringCreate, RecurringPatchBody, RecurringView } from './schemas/scheduling';

const item = '/v1/recurring-invoices/{id}';

export const routes = {
  'POST /v1/recurring-invoices': route({
    summary: 'Create a recurring invoice: every N weeks, months or years from startDate, until endDate or count; issued and e-mailed, or drafts',
    permission: 'invoices:write',
    body: RecurringCreate,
    response: RecurringView,
    status: 201,
    errors: [422],
    handler: async ({ body, caller }) =>
      RecurringInvoices.view(await RecurringInvoices.create(recurringPorts(), { tenantId: caller.tenantId, actor: callerActor(caller), input: body })),
  }),
  'GET /v1/recurring-invoices': route({
    summary: 'List recurring invoices, newest first',
    permission: 'invoices:read',
    query: ListQuery,
    response: page(RecurringView),
    handler: async ({ query, caller }) => {
      const result = await RecurringInvoices.list(recurringPorts(), { tenantId: caller.tenantId, page: query });
      return { data: result.data.map(RecurringInvoices.view), nextCursor: result.nextCursor };
    },
  }),
  [`GET ${item}`]: route({
    summary: 'Get a recurring invoice',
    permission: 'invoices:read',
    response: RecurringView,
    handler: async ({ params, caller }) => RecurringInvoices.view(await RecurringInvoices.get(recurringPorts(), { tenantId: caller.tenantId, id: params.id })),
  }),
  [`PATCH ${item}`]: route({
    summary: 'Change a recurring invoice: affects only the periods not made yet (If-Match or version; null clears endDate, count, notes)',
    permission: 'invoices:write',
    body: RecurringPatchBody,
    response: RecurringView,
    errors: [409, 422],
    handler: async ({ params, body, caller, ifMatch }) => {
      const { version, ...changes } = body;
      return RecurringInvoices.view(
        await RecurringInvoices.update(recurringPorts(), {
          tenantId: caller.tenantId,
          actor: callerActor(caller),
          id: params.id,
          changes,
          expectedVersion: ifMatch ?? version,
        }),
      );
    },
  }),
  [`DELETE ${item}`]: route({
    summary: 'Delete a recurring invoice (the invoices it made stay)',
    permission: 'invoices:delete',
    status: 204,
    errors: [409],
    handler: async ({ params, caller, ifMatch }) => {
      await RecurringInvoices.remove(recurringPorts(), { tenantId: caller.tenantId, actor: callerActor(caller), id: params.id, expectedVersion: ifMatch });
    },
  }),
  [`POST ${item}/pause`]: route({
    summary: 'Pause a recurring invoice: it makes nothing until resumed',
    permission: 'invoices:write',
    response: RecurringView,
    errors: [409, 422],
    handler: async ({ params, caller, ifMatch }) =>
      RecurringInvoices.view(
        await RecurringInvoices.pause(recurringPorts(), { tenantId: caller.tenantId, actor: callerActor(caller), id: params.id, expectedVersion: ifMatch }),
      ),
  }),
  [`POST ${item}/resume`]: route({
    summary: 'Resume a paused recurring invoice: the periods that passed while paused are skipped',
    permission: 'invoices:write',
    response: RecurringView,
    errors: [409, 422],
    handler: async ({ params, caller, ifMatch }) =>
      RecurringInvoices.view(
        await RecurringInvoices.resume(recurringPorts(), { tenantId: caller.tenantId, actor: callerActor(caller), id: params.id, expectedVersion: ifMatch }),
      ),
  }),
  [`GET ${item}/preview`]: route({
    summary: 'The next dates the recurring invoice will make (?count=12), with their due dates',
    permission: 'invoices:read',
    query: PreviewQuery,
    response: PreviewView,
    handler: async ({ params, query, caller }) => {
      const ports = recurringPorts();
      const schedule = await RecurringInvoices.get(ports, { tenantId: caller.tenantId, id: params.id });
      const dates = await RecurringInvoices.preview(ports, { tenantId: caller.tenantId, id: params.id, count: query.count });
      return { dates, data: dates.map((period) => ({ period, dueDate: Calendar.addDays(period, schedule.dueInDays) })) };
    },
  }),
};

export const handler = httpApi(routes, httpDeps);
