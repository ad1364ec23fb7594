import type { OpenInvoiceFinder } from '../../../domain/payments';
import { fromInvoiceRecord } from '../invoicing/invoices-repository';
import type { CrmService } from '../service';
import { InvoiceEntity } from '../invoicing/invoice-entity';
import { registerEntities } from '../entity-registry';

// the entities this module's reads and transactions use (a function loads only these: entity-registry.ts)
registerEntities({ invoice: InvoiceEntity });

/**
 * The issued invoices of a tenant that may still owe money: one query per open stage of its pipeline (the
 * byStage index), issued ones only. What the bank import matches statement rows against.
 */
export function openInvoiceFinder(service: CrmService): OpenInvoiceFinder {
  const { invoice } = service.entities;
  return {
    async openInvoices(tenantId, openStages) {
      const pages = await Promise.all(
        openStages.map((stage) =>
          invoice.query
            .byStage({ tenantId, stage })
            .where((a, { eq }) => eq(a.status, 'issued'))
            .go({ pages: 'all' }),
        ),
      );
      return pages.flatMap((p) => p.data.map(fromInvoiceRecord));
    },
  };
}
