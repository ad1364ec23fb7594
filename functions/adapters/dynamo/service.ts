import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Service } from 'electrodb';
import { ApiKeyEntity } from './entities/api-key';
import { CompanyEntity } from './entities/company';
import { ContactEntity } from './entities/contact';
import { OutboxEntity } from './entities/outbox';
import { ProductEntity } from './entities/product';
import { TenantEntity } from './entities/tenant';

/** The ElectroDB service: every entity of the single table, bound to the table and client. */
export function createService(client: DynamoDBDocumentClient, table: string) {
  return new Service(
    {
      tenant: TenantEntity,
      apiKey: ApiKeyEntity,
      company: CompanyEntity,
      contact: ContactEntity,
      product: ProductEntity,
      outbox: OutboxEntity,
    },
    { client, table },
  );
}

export type CrmService = ReturnType<typeof createService>;
