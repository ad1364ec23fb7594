import type { EntityItem } from 'electrodb';
import { InvalidInput, type Page, type PageRequest } from '../../../domain/kernel';
import type { RecurringInvoice, RecurringStore } from '../../../domain/scheduling';
import { conditionHeld, isInvalidCursor } from '../errors';
import { defined } from '../helpers';
import type { CrmService } from '../service';
import { RecurringInvoiceEntity } from './recurring-entity';
import { registerEntities } from '../entity-registry';

// the entities this module's reads and transactions use (a function loads only these: entity-registry.ts)
registerEntities({ recurringInvoice: RecurringInvoiceEntity });

type Item = EntityItem<CrmService['entities']['recurringInvoice']>;

/** The index keys of a schedule: in the due index only while active with a next date. */
function toItem(s: RecurringInvoice): Item {
  const due = s.status === 'active' && s.nextDate;
  return defined({ ...s, dueKey: due ? 'recurring' : '', dueSort: due ? `${s.nextDate}#${s.tenantId}#${s.id}` : '' }) as Item;
}

function fromItem(item: Item): RecurringInvoice {
  const { dueKey: _k, dueSort: _s, ...rest } = item as Item & Record<string, unknown>;
  return { ...(rest as unknown as RecurringInvoice), nextDate: (rest.nextDate as string | undefined) ?? null };
}

export function recurringRepository(svc: CrmService): RecurringStore {
  const e = svc.entities.recurringInvoice;
  return {
    async create(s) {
      await e.create(toItem(s)).go();
      return s;
    },
    async get(tenantId, id) {
      const { data } = await e.get({ tenantId, id }).go();
      return data ? fromItem(data) : null;
    },
    async list(tenantId: string, page: PageRequest): Promise<Page<RecurringInvoice>> {
      try {
        const result = await e.query.byId({ tenantId }).go({ limit: page.limit, cursor: page.cursor ?? null, order: 'desc' });
        return { data: result.data.map(fromItem), nextCursor: result.cursor ?? null };
      } catch (error) {
        if (isInvalidCursor(error)) throw new InvalidInput('the cursor is not valid', [{ field: 'cursor', message: 'invalid' }]);
        throw error;
      }
    },
    async save(s, expectedVersion) {
      return conditionHeld(() =>
        e
          .put(toItem(s))
          .where((a, { eq }) => eq(a.version, expectedVersion))
          .go(),
      );
    },
    async remove(tenantId, id, expectedVersion) {
      return conditionHeld(() =>
        e
          .delete({ tenantId, id })
          .where((a, { eq }) => eq(a.version, expectedVersion))
          .go(),
      );
    },
    async due(asOf, tenantId) {
      const out: RecurringInvoice[] = [];
      let cursor: string | null = null;
      do {
        const page: { data: Item[]; cursor: string | null } = await e.query
          .byDue({ dueKey: 'recurring' })
          .lte({ dueSort: `${asOf}#\uffff` })
          .go({ cursor, limit: 500 });
        for (const item of page.data) if (!tenantId || item.tenantId === tenantId) out.push(fromItem(item));
        cursor = page.cursor;
      } while (cursor);
      return out;
    },
  };
}
