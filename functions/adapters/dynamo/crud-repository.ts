import { Conflict, InvalidInput, NotFound, staleVersion } from '../../domain/kernel';
import type { CrudRepository, Owned, Page, PageRequest } from '../../domain/kernel';
import { isConditionFailure, isInvalidCursor } from './errors';
import { asGeneric } from './helpers';

/**
 * Create, read, list, update and delete of one tenant-owned entity, with optimistic concurrency:
 * a write carries the version it read and fails with Conflict when another write came first.
 */
export function crudRepository<T extends Owned>(
  entity: object,
  label: string,
  /** Index key attributes: cleared by storing '' (an index needs every composite). */
  indexedOptional: string[] = [],
): CrudRepository<T> {
  const e = asGeneric(entity);

  async function get(tenantId: string, id: string): Promise<T | null> {
    const { data } = await e.get({ tenantId, id }).go();
    return (data as T) ?? null;
  }

  return {
    get,
    async create(item) {
      try {
        const { data } = await e.create(item).go();
        return data as T;
      } catch (error) {
        if (isConditionFailure(error)) throw new Conflict(`${label} ${item.id} already exists`);
        throw error;
      }
    },
    async list(tenantId: string, page: PageRequest): Promise<Page<T>> {
      try {
        const result = await e.query.byId({ tenantId }).go({ limit: page.limit, cursor: page.cursor ?? null, order: 'desc' });
        return { data: result.data as T[], nextCursor: result.cursor ?? null };
      } catch (error) {
        if (isInvalidCursor(error)) throw new InvalidInput('the cursor is not valid', [{ field: 'cursor', message: 'invalid' }]);
        throw error;
      }
    },
    async update(tenantId, id, changes, expectedVersion) {
      const current = await get(tenantId, id);
      if (!current) throw new NotFound(label);
      if (expectedVersion !== undefined && expectedVersion !== current.version) {
        throw staleVersion(expectedVersion, current.version);
      }
      const set: Record<string, unknown> = {};
      const remove: string[] = [];
      for (const [key, value] of Object.entries(changes)) {
        if (value === null && indexedOptional.includes(key)) set[key] = '';
        else if (value === null) remove.push(key);
        else if (value !== undefined) set[key] = value;
      }
      set.version = current.version + 1;
      set.updatedAt = new Date().toISOString();
      try {
        let op = e.patch({ tenantId, id }).set(set);
        if (remove.length) op = op.remove(remove);
        const { data } = await op.where((attr, { eq }) => eq(attr.version, current.version)).go({ response: 'all_new' });
        return data as T;
      } catch (error) {
        if (isConditionFailure(error)) {
          const latest = await get(tenantId, id);
          if (!latest) throw new NotFound(label);
          throw staleVersion(expectedVersion ?? current.version, latest.version);
        }
        throw error;
      }
    },
    async remove(tenantId, id, expectedVersion) {
      const current = await get(tenantId, id);
      if (!current) throw new NotFound(label);
      if (expectedVersion !== undefined && expectedVersion !== current.version) {
        throw staleVersion(expectedVersion, current.version);
      }
      try {
        await e
          .delete({ tenantId, id })
          .where((attr, { eq }) => eq(attr.version, current.version))
          .go();
      } catch (error) {
        if (isConditionFailure(error)) throw new Conflict(`${label} changed while it was being deleted; read it again`);
        throw error;
      }
    },
  };
}
