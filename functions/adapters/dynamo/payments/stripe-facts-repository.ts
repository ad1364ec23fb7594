/** The store of StripeIntake's PaymentFacts records (StripeIntakePorts.facts), and whose payment intent is whose. */
import { Conflict } from '../../../domain/kernel';
import type { PaymentFacts } from '../../../domain/payments';
import { isConditionFailure } from '../errors';
import type { CrmService } from '../service';
import { StripeFactsEntity } from './stripe-facts-entity';
import { registerEntities } from '../entity-registry';

// the entities this module's reads and transactions use (a function loads only these: entity-registry.ts)
registerEntities({ stripeFacts: StripeFactsEntity });

type PaymentFactsRecord = { facts: PaymentFacts; version: number };

export function stripeFactsRepository(svc: CrmService) {
  const entity = svc.entities.stripeFacts;
  return {
    /** The tenant a payment intent's facts belong to, or null when none are stored. */
    async tenantOf(externalId: string): Promise<string | null> {
      const { data } = await entity.get({ externalId }).go({ consistent: true });
      return data?.tenantId ?? null;
    },
    async get(tenantId: string, externalId: string): Promise<PaymentFactsRecord | null> {
      const { data } = await entity.get({ externalId }).go({ consistent: true });
      if (!data) return null;
      // another tenant's payment intent: never read, and never written over (put conflicts)
      if (data.tenantId !== tenantId) throw new Conflict(`payment intent ${externalId} belongs to another tenant`);
      return { facts: JSON.parse(data.facts), version: data.version };
    },
    async put(tenantId: string, facts: PaymentFactsRecord['facts'], expectedVersion: number): Promise<void> {
      const item = { externalId: facts.externalId, tenantId, facts: JSON.stringify(facts), version: expectedVersion + 1, updatedAt: new Date().toISOString() };
      try {
        if (expectedVersion === 0) await entity.create(item).go();
        else
          await entity
            .put(item)
            .where((a, { eq }) => `${eq(a.version, expectedVersion)} AND ${eq(a.tenantId, tenantId)}`)
            .go();
      } catch (error) {
        if (isConditionFailure(error)) throw new Conflict(`the facts of ${facts.externalId} changed; read them again`);
        throw error;
      }
    },
  };
}
