import type { ClientDirectory, CompanyRecord, ContactRecord, ProductCatalog, ProductRecord } from '../../../domain/clients';
import { crudRepository } from '../crud-repository';
import type { Owned } from '../../../domain/kernel';
import type { CrmService } from '../service';
import { CompanyEntity } from './company-entity';
import { ContactEntity } from './contact-entity';
import { ProductEntity } from './product-entity';
import { registerEntities } from '../entity-registry';

// the entities this module's reads and transactions use (a function loads only these: entity-registry.ts)
registerEntities({ company: CompanyEntity, contact: ContactEntity, product: ProductEntity });

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

export function productCatalog(service: CrmService): ProductCatalog {
  const { product } = service.entities;
  return {
    async getProduct(tenantId, id) {
      return ((await product.get({ tenantId, id }).go()).data as ProductRecord | null) ?? null;
    },
  };
}

/** Companies, contacts and products as plain tenant-owned records (create, read, list, update, delete). */
export function clientRecords(service: CrmService) {
  const { company, contact, product } = service.entities;
  return {
    companies: crudRepository<CompanyRecord & Owned>(company, 'company'),
    contacts: crudRepository<ContactRecord & Owned>(contact, 'contact', ['companyId']),
    products: crudRepository<ProductRecord & Owned>(product, 'product'),
  };
}
