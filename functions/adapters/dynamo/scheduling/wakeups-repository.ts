import type { EntityItem } from 'electrodb';
import type { Wakeup, WakeupStore } from '../../../domain/scheduling';
import { registerEntities } from '../entity-registry';
import type { CrmService } from '../service';
import { WakeupEntity } from './scheduled-send-entity';

// the entity this module uses (a function loads only its repositories' entities: entity-registry.ts)
registerEntities({ wakeup: WakeupEntity });

/** A run's wake-ups (an action's delay): due ones are found by the scheduling sweep. */
type WakeupItem = EntityItem<CrmService['entities']['wakeup']>;

const toWakeupItem = (w: Wakeup) =>
  ({
    ...w,
    dueKey: w.status === 'pending' ? 'wake' : '',
    dueSort: w.status === 'pending' ? `${w.at}#${w.tenantId}#${w.runId}#${w.stepIndex}` : '',
  }) as WakeupItem;

export function wakeupsRepository(svc: CrmService): WakeupStore {
  const e = svc.entities.wakeup;
  return {
    async schedule(w) {
      await e.put(toWakeupItem({ ...w, status: 'pending' })).go();
    },
    async due(atOrBefore) {
      const { data } = await e.query
        .byDue({ dueKey: 'wake' })
        .lte({ dueSort: `${atOrBefore}#\uffff` })
        .go({ pages: 'all' });
      return data.map(({ dueKey: _k, dueSort: _s, ...w }) => w as Wakeup);
    },
    async done(w) {
      await e.put(toWakeupItem({ ...w, status: 'done' })).go();
    },
  };
}
