import type { CreateEntityItem, UpdateEntityItem } from 'electrodb';
import { Client, type DuplicateFinder, type DuplicateMatch } from '../../../domain/clients';
import { nowIso, outboxRecord } from '../../../domain/kernel';
import type { CommitOutcome, ConversionPlan, Lead, LeadStore } from '../../../domain/sales';
import { crudRepository } from '../crud-repository';
import { asGeneric, listBy, rejectedItems } from '../helpers';
import { CompanyEntity } from '../clients/company-entity';
import { ContactEntity } from '../clients/contact-entity';
import type { CrmService } from '../service';
import { DealEntity } from './deal-entity';
import { LeadEntity } from './lead-entity';
import { OutboxEntity } from '../kernel/outbox-entity';
import { registerEntities } from '../entity-registry';

// the entities this module's reads and transactions use (a function loads only these: entity-registry.ts)
registerEntities({ company: CompanyEntity, contact: ContactEntity, deal: DealEntity, lead: LeadEntity, outbox: OutboxEntity });

/** Leads: CRUD with optimistic concurrency, listed newest first, by stage through byStage. */
export function leadsRepository(service: CrmService): LeadStore {
  const { lead } = service.entities;
  const crud = crudRepository<Lead.Info>(lead, 'lead');
  return {
    ...crud,
    list: (tenantId, filter, page) => listBy<Lead.Info>(asGeneric(lead), tenantId, { stage: filter.stage }, [['stage', 'byStage']], page),
  };
}

const MATCHES_PER_KEY = 25;

/** Existing clients with the same normalized key, through the byEmail/byPhone/byTaxId indexes. */
export function duplicateFinder(service: CrmService): DuplicateFinder {
  const { company, contact } = service.entities;
  return {
    async find(tenantId, keys, scope) {
      const queries: Promise<DuplicateMatch[]>[] = [];
      type Found = { id: string; createdAt: string; name?: string; firstName?: string; lastName?: string };
      const run = (type: 'company' | 'contact', on: DuplicateMatch['on'], query: { go(options: { limit: number }): Promise<{ data: Found[] }> }) =>
        queries.push(
          query.go({ limit: MATCHES_PER_KEY }).then(({ data }) =>
            data.map((r) => ({
              type,
              id: r.id,
              name: type === 'company' ? (r.name ?? '') : Client.contactName({ firstName: r.firstName ?? '', lastName: r.lastName ?? '' }),
              on,
              createdAt: r.createdAt,
            })),
          ),
        );
      if (keys.emailKey) run('contact', 'email', contact.query.byEmail({ tenantId, emailKey: keys.emailKey }));
      if (keys.phoneKey) run('contact', 'phone', contact.query.byPhone({ tenantId, phoneKey: keys.phoneKey }));
      if (scope.companies) {
        if (keys.taxIdKey) run('company', 'taxId', company.query.byTaxId({ tenantId, taxIdKey: keys.taxIdKey }));
        if (keys.emailKey) run('company', 'email', company.query.byEmail({ tenantId, emailKey: keys.emailKey }));
        if (keys.phoneKey) run('company', 'phone', company.query.byPhone({ tenantId, phoneKey: keys.phoneKey }));
      }
      return (await Promise.all(queries)).flat();
    },
  };
}

/**
 * The conversion in ONE TransactWrite: new company, new contact, the deal, the outbox event(s), and
 * LAST the lead's update conditioned on the version that was read. Any refusal cancels every item.
 */
export function conversionCommitter(service: CrmService) {
  return async function commitConversion(plan: ConversionPlan): Promise<CommitOutcome> {
    const updatedAt = nowIso();
    const result = await service.transaction
      .write(({ company, contact, deal, outbox, lead }) => [
        ...(plan.company ? [company.create(plan.company as CreateEntityItem<typeof CompanyEntity>).commit()] : []),
        ...(plan.contact ? [contact.create(plan.contact as CreateEntityItem<typeof ContactEntity>).commit()] : []),
        deal.create(plan.deal as CreateEntityItem<typeof DealEntity>).commit(),
        ...plan.events.map((e) => outbox.create(outboxRecord(e)).commit()),
        lead
          .patch({ tenantId: plan.tenantId, id: plan.leadId })
          .set({ ...plan.leadChanges, version: plan.expectedVersion + 1, updatedAt } as UpdateEntityItem<typeof LeadEntity>)
          .where((attr, { eq }) => eq(attr.version, plan.expectedVersion))
          .commit(),
      ])
      .go();
    if (!result.canceled) return { ok: true };
    const rejected = rejectedItems(result);
    const leadIndex = (plan.company ? 1 : 0) + (plan.contact ? 1 : 0) + 1 + plan.events.length;
    if (rejected.some((r) => r.index === leadIndex && r.code === 'ConditionalCheckFailed')) return { ok: false, reason: 'lead_changed' };
    if (rejected.some((r) => r.code === 'ConditionalCheckFailed')) return { ok: false, reason: 'collision' };
    return { ok: false, reason: 'conflict' };
  };
}
