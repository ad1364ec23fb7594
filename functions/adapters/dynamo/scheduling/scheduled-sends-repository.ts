import type { EntityItem } from 'electrodb';
import type { ScheduledSend, ScheduledSendStore } from '../../../domain/scheduling';
import { conditionHeld } from '../errors';
import { defined } from '../helpers';
import { registerEntities } from '../entity-registry';
import type { CrmService } from '../service';
import { ScheduledSendEntity } from './scheduled-send-entity';

// the entity this module uses (a function loads only its repositories' entities: entity-registry.ts)
registerEntities({ scheduledSend: ScheduledSendEntity });

/** Sends scheduled for later (POST .../send with sendAt): due ones are found by the scheduling sweep. */
type SendItem = EntityItem<CrmService['entities']['scheduledSend']>;

function toSendItem(s: ScheduledSend): SendItem {
  const due = s.status === 'scheduled' || s.status === 'sending';
  return defined({ ...s, dueKey: due ? 'send' : '', dueSort: due ? `${s.sendAt}#${s.tenantId}#${s.id}` : '' }) as SendItem;
}
function fromSendItem(item: SendItem): ScheduledSend {
  const { dueKey: _k, dueSort: _s, ...rest } = item;
  return rest as ScheduledSend;
}

export function scheduledSendsRepository(svc: CrmService): ScheduledSendStore {
  const e = svc.entities.scheduledSend;
  return {
    async create(send) {
      await e.create(toSendItem(send)).go();
    },
    async get(tenantId, id) {
      const { data } = await e.get({ tenantId, id }).go({ consistent: true });
      return data ? fromSendItem(data) : null;
    },
    async listForInvoice(tenantId, invoiceId) {
      const { data } = await e.query.byInvoice({ tenantId, invoiceId }).go({ pages: 'all' });
      return data.map(fromSendItem);
    },
    async save(next, expectedVersion) {
      return conditionHeld(() =>
        e
          .put(toSendItem(next))
          .where((a, { eq }) => eq(a.version, expectedVersion))
          .go(),
      );
    },
    async due(atOrBefore) {
      const { data } = await e.query
        .byDue({ dueKey: 'send' })
        .lte({ dueSort: `${atOrBefore}#\uffff` })
        .go({ pages: 'all' });
      return data.map(fromSendItem);
    },
  };
}
