import type { z } from 'zod';
import { ClientLookup } from '../../domain/clients';
import { assertValidTaxId, newRecord, NotFound, publicView, type CrudRepository, type IdKind, type Owned } from '../../domain/kernel';
import type { Resource } from '../../domain/tenancy';
import { ListQuery, page } from './schemas/common';
import { route, type Caller, type Routes } from '../../shared/http/route';

export interface CrudOptions<C extends Record<string, unknown>, P extends Record<string, unknown>> {
  path: string;
  resource: Resource;
  label: string;
  kind: IdKind;
  create: z.ZodType<C>;
  patch: z.ZodType<P>;
  view: z.ZodType;
  repo: () => CrudRepository<Owned>;
  /** Cross-record rules checked before a write (e.g. a contact's company must exist). */
  check?: (caller: Caller, input: Partial<C>) => Promise<void>;
  /** Keep normalized lookup keys (e-mail, phone, tax id) in step with the record. */
  lookupKeys?: boolean;
  /** Check `taxId` against the rule of the address's country (Spanish NIF, Russian INN, EU VAT formats): 422 naming it. */
  taxIds?: boolean;
}

const countryOf = (record: Record<string, unknown>) => (record.address as { country?: string } | null | undefined)?.country || undefined;
type WithTaxId = { taxId?: string | null; address?: { country?: string } | null };

/** The five routes of a plain tenant-owned resource: create, list, get, update, delete. */
export function crudRoutes<C extends Record<string, unknown>, P extends Record<string, unknown>>(o: CrudOptions<C, P>): Routes {
  const item = `${o.path}/{id}`;
  const find = async (caller: Caller, id: string) => {
    const found = await o.repo().get(caller.tenantId, id);
    if (!found) throw new NotFound(o.label);
    return found;
  };
  return {
    [`POST ${o.path}`]: route({
      summary: `Create a ${o.label}`,
      permission: `${o.resource}:write`,
      body: o.create,
      response: o.view,
      status: 201,
      handler: async ({ body, caller }) => {
        if (o.taxIds) assertValidTaxId((body as WithTaxId).taxId, (body as WithTaxId).address?.country);
        await o.check?.(caller, body);
        if (o.lookupKeys) ClientLookup.checkPhone(body.phone as string | undefined, countryOf(body));
        const record = newRecord(o.kind, caller.tenantId, { ...body, ...(o.lookupKeys ? ClientLookup.keys(body) : {}) });
        return publicView(await o.repo().create(record));
      },
    }),
    [`GET ${o.path}`]: route({
      summary: `List ${o.resource}, newest first`,
      permission: `${o.resource}:read`,
      query: ListQuery,
      response: page(o.view),
      handler: async ({ query, caller }) => {
        const result = await o.repo().list(caller.tenantId, query);
        return { data: result.data.map(publicView), nextCursor: result.nextCursor };
      },
    }),
    [`GET ${item}`]: route({
      summary: `Get a ${o.label}`,
      permission: `${o.resource}:read`,
      response: o.view,
      handler: async ({ params, caller }) => publicView(await find(caller, params.id)),
    }),
    [`PATCH ${item}`]: route({
      summary: `Update a ${o.label} (If-Match or version for optimistic concurrency; null clears a field)`,
      permission: `${o.resource}:write`,
      body: o.patch,
      response: o.view,
      handler: async ({ params, body, caller, ifMatch }) => {
        const { version, ...changes } = body as P & { version?: number };
        const patch = changes as WithTaxId;
        if (o.taxIds && (patch.taxId || patch.address)) {
          // the tax id and the country it is checked by may each come from the change or from the record
          const current = (await find(caller, params.id)) as Owned & WithTaxId;
          const taxId = patch.taxId === undefined ? current.taxId : patch.taxId;
          assertValidTaxId(taxId, patch.address === undefined ? current.address?.country : patch.address?.country);
        }
        await o.check?.(caller, changes as Partial<C>);
        // A new phone is read in the record's country: the one this change gives, else the stored one.
        const country =
          o.lookupKeys && changes.phone ? (countryOf(changes) ?? countryOf((await find(caller, params.id)) as unknown as Record<string, unknown>)) : undefined;
        if (o.lookupKeys) ClientLookup.checkPhone(changes.phone as string | null | undefined, country);
        const updated = await o
          .repo()
          .update(caller.tenantId, params.id, { ...changes, ...(o.lookupKeys ? ClientLookup.keyChanges(changes, country) : {}) }, ifMatch ?? version);
        return publicView(updated);
      },
    }),
    [`DELETE ${item}`]: route({
      summary: `Delete a ${o.label}`,
      permission: `${o.resource}:delete`,
      status: 204,
      handler: async ({ params, caller, ifMatch }) => {
        await o.repo().remove(caller.tenantId, params.id, ifMatch);
      },
    }),
  };
}
