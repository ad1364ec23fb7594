import type { ClientDirectory, CompanyRecord, ContactRecord } from '../../../domain/clients/client';
import type { CrmService } from '../service';

/**
 * Companies and contacts of one tenant, read directly by id: the client directory of leads, deals, quotes
 * and invoices alike (another tenant's id is simply not found: every key starts with the tenant).
 */
export function clientDirectory(service: CrmService): ClientDirectory {
  const { company, contact } = service.entities;
  return {
    async company(tenantId, id) {
      const { data } = await company.get({ tenantId, id }).go();
      return (data as CompanyRecord | null) ?? null;
    },
    async contact(tenantId, id) {
      const { data } = await contact.get({ tenantId, id }).go();
      return (data as ContactRecord | null) ?? null;
    },
  };
}
