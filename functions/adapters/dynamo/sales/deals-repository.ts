import type { Deal, DealStore } from '../../../domain/sales';
import { crudRepository } from '../crud-repository';
import { asGeneric, listBy } from '../helpers';
import type { CrmService } from '../service';
import { DealEntity } from './deal-entity';
import { registerEntities } from '../entity-registry';

// the entities this module's reads and transactions use (a function loads only these: entity-registry.ts)
registerEntities({ deal: DealEntity });

/** Deals: CRUD with optimistic concurrency; lists by stage, company or contact through their indexes. */
export function dealsRepository(service: CrmService): DealStore {
  const { deal } = service.entities;
  const crud = crudRepository<Deal.Info>(deal, 'deal', ['companyId', 'contactId']);
  return {
    ...crud,
    list: (tenantId, filter, page) =>
      listBy<Deal.Info>(
        asGeneric(deal),
        tenantId,
        { stage: filter.stage, companyId: filter.companyId, contactId: filter.contactId },
        [
          ['companyId', 'byCompany'],
          ['contactId', 'byContact'],
          ['stage', 'byStage'],
        ],
        page,
      ),
  };
}
