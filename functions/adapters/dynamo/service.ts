import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Service } from 'electrodb';
import { ApiKeyEntity } from './entities/api-key';
import { AutomationRuleEntity, AutomationRunEntity } from './entities/automation';
import { DocumentEntity } from './entities/document';
import { MessageEntity } from './entities/message';
import { PublicLinkEntity } from './entities/public-link';
import { CompanyEntity } from './entities/company';
import { ContactEntity } from './entities/contact';
import { OutboxEntity } from './entities/outbox';
import { InvoiceEntity, InvoiceLookupEntity } from './entities/invoice';
import { NumberCounterEntity } from './entities/counter';
import { TimelineEntity } from './entities/timeline';
import { PipelineConfigEntity } from './entities/pipeline-config';
import { LeadEntity } from './entities/lead';
import { DealEntity } from './entities/deal';
import { QuoteEntity } from './entities/quote';
import { ProductEntity } from './entities/product';
import { TenantEntity } from './entities/tenant';
import { TemplateEntity } from './entities/template';

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
      invoice: InvoiceEntity,
      invoiceLookup: InvoiceLookupEntity,
      numberCounter: NumberCounterEntity,
      timeline: TimelineEntity,
      pipelineConfig: PipelineConfigEntity,
      lead: LeadEntity,
      deal: DealEntity,
      quote: QuoteEntity,
      document: DocumentEntity,
      publicLink: PublicLinkEntity,
      message: MessageEntity,
      automationRule: AutomationRuleEntity,
      automationRun: AutomationRunEntity,
      template: TemplateEntity,
    },
    { client, table },
  );
}

export type CrmService = ReturnType<typeof createService>;
