import * as z from 'zod';
import { newId } from '../../domain/kernel';
import { ApiKey, ROLES } from '../../domain/tenancy';
import { httpApi } from '../../shared/http/api';
import { route } from '../../shared/http/route';
import { sealedAnswer } from '../../shared/http/sealed-answer';
import { httpDeps } from '../../shared/wiring/http';
import { tenants } from '../../shared/wiring/tenancy';
import { ListQuery, email, page, text } from './schemas/common';

const ApiKeyView = z.object({
  id: z.string(),
  name: z.string(),
  userId: z.string(),
  userEmail: z.string().optional(),
  role: z.enum(ROLES),
  createdAt: z.string(),
  revokedAt: z.string().optional(),
  revoked: z.boolean(),
});

export const routes = {
  'GET /v1/api-keys': route({
    summary: "List the tenant's API keys (never their secrets)",
    permission: 'apiKeys:read',
    query: ListQuery,
    response: page(ApiKeyView),
    handler: async ({ caller, query }) => {
      const result = await tenants().listKeys(caller.tenantId, query);
      return { data: result.data.map(ApiKey.view), nextCursor: result.nextCursor };
    },
  }),
  'POST /v1/api-keys': route({
    summary:
      'Create an API key for a user and role; the secret is shown only in this answer. Idempotency-Key: a retry with the same key and body answers the same key (and secret); with another body, 422',
    permission: 'apiKeys:write',
    // the answer carries the secret: the Idempotency-Key store keeps it sealed, never in clear
    idempotent: sealedAnswer,
    body: z.strictObject({
      name: text(100),
      role: z.enum(ROLES),
      userId: z
        .string()
        .regex(/^usr_[0-9a-z]{26}$/, 'must be a usr_ id')
        .optional(),
      userEmail: email.optional(),
    }),
    response: ApiKeyView.extend({ apiKey: z.string() }),
    status: 201,
    errors: [422],
    handler: async ({ caller, body }) => {
      const { record, token } = ApiKey.issue({
        tenantId: caller.tenantId,
        userId: body.userId ?? newId('user'),
        userEmail: body.userEmail,
        role: body.role,
        name: body.name,
      });
      await tenants().createKey(record);
      return { ...ApiKey.view(record), apiKey: token };
    },
  }),
  'DELETE /v1/api-keys/{id}': route({
    summary: 'Revoke an API key (it stops working at once)',
    permission: 'apiKeys:delete',
    status: 204,
    handler: async ({ caller, params }) => {
      await tenants().revokeKey(caller.tenantId, params.id);
    },
  }),
};

export const handler = httpApi(routes, httpDeps);
