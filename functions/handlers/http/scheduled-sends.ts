import { ScheduledSends } from '../../domain/scheduling';
import { httpApi } from '../../shared/http/api';
import { route } from '../../shared/http/route';
import { httpDeps } from '../../shared/wiring/http';
import { scheduledSendRoutesPorts } from '../../shared/wiring/scheduling';
import { page } from './schemas/common';
import { ScheduledSendView } from './schemas/scheduling';

export const routes = {
  'GET /v1/invoices/{id}/scheduled-sends': route({
    summary: "The invoice's scheduled sends (POST /v1/invoices/{id}/send with sendAt), by send time: scheduled, sent, cancelled or skipped",
    permission: 'messages:read',
    response: page(ScheduledSendView),
    handler: async ({ params, caller }) => {
      const sends = await ScheduledSends.list(scheduledSendRoutesPorts(), { tenantId: caller.tenantId, invoiceId: params.id });
      // every send of one invoice in one page (a handful at most): nextCursor is always null
      return { data: sends.map(ScheduledSends.view), nextCursor: null };
    },
  }),
  'DELETE /v1/invoices/{id}/scheduled-sends/{sendId}': route({
    summary: 'Cancel a scheduled send (409 once it is being sent or sent); cancelling twice is fine',
    permission: 'messages:write',
    response: ScheduledSendView,
    errors: [409],
    handler: async ({ params, caller }) =>
      ScheduledSends.view(await ScheduledSends.cancel(scheduledSendRoutesPorts(), { tenantId: caller.tenantId, invoiceId: params.id, id: params.sendId })),
  }),
};

export const handler = httpApi(routes, httpDeps);
