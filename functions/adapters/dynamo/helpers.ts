import { InvalidInput, type Page, type PageRequest } from '../../domain/kernel';
import { isInvalidCursor } from './errors';

/** The operators of a `where` callback that the generic helpers use. */
export interface WhereOperators {
  eq(attribute: unknown, value: unknown): string;
}

/** An ElectroDB query of a generic helper: narrowed with `where`, run with `go`. */
export interface GenericQuery {
  where(callback: (attributes: Record<string, unknown>, operators: WhereOperators) => string): GenericQuery;
  go(options: { limit: number; cursor: string | null; order: 'asc' | 'desc' }): Promise<{ data: unknown[]; cursor: string | null }>;
}

/**
 * What the generic helpers (listBy, crudRepository) use of a tenant-owned ElectroDB entity: the same few
 * calls whatever the entity. ElectroDB types every entity's builders by its own attributes, which a helper over
 * any entity cannot name; the repositories pass their entity through `asGeneric` and type the records they
 * return (`T`), so the domain never sees an untyped value.
 */
export interface GenericEntity {
  get(key: { tenantId: string; id: string }): { go(): Promise<{ data: unknown }> };
  create(item: object): { go(): Promise<{ data: unknown }> };
  query: Record<string, (keys: Record<string, string | undefined>) => GenericQuery>;
  patch(key: { tenantId: string; id: string }): GenericUpdate;
  delete(key: { tenantId: string; id: string }): {
    where(callback: (attributes: Record<string, unknown>, operators: WhereOperators) => string): { go(): Promise<unknown> };
  };
}

export interface GenericUpdate {
  set(values: Record<string, unknown>): GenericUpdate;
  remove(attributes: string[]): GenericUpdate;
  where(callback: (attributes: Record<string, unknown>, operators: WhereOperators) => string): GenericUpdate;
  go(options: { response: 'all_new' }): Promise<{ data: unknown }>;
}

/** An entity seen through the generic helpers' view of it. */
export const asGeneric = (entity: object) => entity as unknown as GenericEntity;

/**
 * A newest-first page of one entity, through the index that serves the first filter given
 * (`indexes`, in order of preference: filter attribute -> index name), else its primary index.
 * Every key starts with the tenant, so a query never leaves the caller's tenant.
 */
export async function listBy<T>(
  entity: GenericEntity,
  tenantId: string,
  filter: Record<string, string | undefined>,
  indexes: [attribute: string, index: string][],
  page: PageRequest,
): Promise<Page<T>> {
  const chosen = indexes.find(([attribute]) => filter[attribute]);
  const rest = Object.entries(filter).filter(([attribute, value]) => value && attribute !== chosen?.[0]);
  let query = chosen ? entity.query[chosen[1]]({ tenantId, [chosen[0]]: filter[chosen[0]] }) : entity.query.byId({ tenantId });
  if (rest.length) {
    // other filters narrow the chosen index's results (a page may then hold fewer than `limit` items)
    query = query.where((attr, { eq }) => rest.map(([attribute, value]) => eq(attr[attribute], value)).join(' AND '));
  }
  try {
    const result = await query.go({ limit: page.limit, cursor: page.cursor ?? null, order: 'desc' });
    return { data: result.data as T[], nextCursor: result.cursor ?? null };
  } catch (error) {
    if (isInvalidCursor(error)) throw new InvalidInput('the cursor is not valid', [{ field: 'cursor', message: 'invalid' }]);
    throw error;
  }
}

/** Which item of a canceled transaction refused, by ElectroDB's cancellation data. */
export function rejectedItems(result: { canceled: boolean; data?: unknown }): { index: number; code: string }[] {
  const data = (Array.isArray(result.data) ? result.data : []) as { rejected?: boolean; code?: string }[];
  return data.flatMap((item, index) => (item?.rejected ? [{ index, code: item.code ?? 'Unknown' }] : []));
}

/** The value without its undefined and null fields (what an item stores). */
export function defined<T extends Record<string, unknown>>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined && v !== null)) as T;
}
