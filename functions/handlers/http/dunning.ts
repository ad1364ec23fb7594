import { Dunning } from '../../domain/scheduling';
import { httpApi } from '../../shared/http/api';
import { route } from '../../shared/http/route';
import { httpDeps } from '../../shared/wiring/http';
import { dunningStore } from '../../shared/wiring/scheduling';
import { DunningBody, DunningView } from './schemas/scheduling';

const ports = () => ({ policies: dunningStore(), now: () => new Date() });

export const routes = {
  'GET /v1/dunning': route({
    summary: "The tenant's payment reminder policy (disabled and empty until set)",
    permission: 'settings:read',
    response: DunningView,
    handler: async ({ caller }) => Dunning.view(await Dunning.getPolicy(ports(), { tenantId: caller.tenantId })),
  }),
  'PUT /v1/dunning': route({
    summary:
      'Set the payment reminder policy: steps at days relative to the due date (before or after), by e-mail or SMS, with their texts; an optional late fee (a new invoice citing the overdue one). Each (invoice, step) is sent at most once; never for paid, cancelled or credit-covered invoices',
    permission: 'settings:write',
    body: DunningBody,
    response: DunningView,
    errors: [409, 422],
    handler: async ({ body, caller, ifMatch }) => {
      const { version, ...input } = body;
      return Dunning.view(await Dunning.putPolicy(ports(), { tenantId: caller.tenantId, input, expectedVersion: ifMatch ?? version }));
    },
  }),
};

export const handler = httpApi(routes, httpDeps);
