import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Service } from 'electrodb';
import { registerEntities } from './entity-registry';
import { ApiKeyEntity } from './tenancy/api-key-entity';
import { AutomationRuleEntity, AutomationRunEntity } from './delivery/automation-entity';
import { DocumentEntity } from './documents/document-entity';
import { MessageEntity } from './delivery/message-entity';
import { SendingQuotaEntity } from './delivery/sending-quota-entity';
import { PublicLinkEntity } from './documents/public-link-entity';
import { CompanyEntity } from './clients/company-entity';
import { ContactEntity } from './clients/contact-entity';
import { OutboxEntity } from './kernel/outbox-entity';
import { InvoiceEntity, InvoiceLookupEntity } from './invoicing/invoice-entity';
import { NumberCounterEntity } from './kernel/counter-entity';
import { TimelineEntity } from './kernel/timeline-entity';
import { PipelineConfigEntity } from './kernel/pipeline-config-entity';
import { LeadEntity } from './sales/lead-entity';
import { DealEntity } from './sales/deal-entity';
import { QuoteEntity } from './sales/quote-entity';
import { ProductEntity } from './clients/product-entity';
import { TenantEntity } from './tenancy/tenant-entity';
import { TemplateEntity } from './documents/template-entity';
import { PaymentEntity, PaymentExternalIdEntity } from './payments/payment-entity';
import { AllocationEntity, ReversalEntity } from './payments/allocation-entity';
import { RefundEntity } from './payments/refund-entity';
import { StripeFactsEntity } from './payments/stripe-facts-entity';
import { BankImportEntity, BankRowEntity } from './payments/bank-row-entity';
import { ExportJobEntity } from './reporting/export-job-entity';
import { RecurringInvoiceEntity } from './scheduling/recurring-entity';
import { DunningPolicyEntity, OverdueEpisodeEntity, ReminderEntity } from './scheduling/dunning-entities';
import { ScheduledSendEntity, WakeupEntity } from './scheduling/scheduled-send-entity';
import { RegisterHeadEntity, RegisterRecordEntity } from './register/register-entity';
import { WebhookSubscriptionEntity } from './webhooks/subscription-entity';
import { WebhookAttemptEntity, WebhookDeliveryEntity } from './webhooks/delivery-entity';

/** Every entity of the single table, by its name in the service. */
const entities = {
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
  sendingQuota: SendingQuotaEntity,
  automationRule: AutomationRuleEntity,
  automationRun: AutomationRunEntity,
  template: TemplateEntity,
  payment: PaymentEntity,
  paymentExternalId: PaymentExternalIdEntity,
  allocation: AllocationEntity,
  reversal: ReversalEntity,
  refund: RefundEntity,
  bankRow: BankRowEntity,
  bankImport: BankImportEntity,
  stripeFacts: StripeFactsEntity,
  exportJob: ExportJobEntity,
  recurringInvoice: RecurringInvoiceEntity,
  dunningPolicy: DunningPolicyEntity,
  reminder: ReminderEntity,
  overdueEpisode: OverdueEpisodeEntity,
  scheduledSend: ScheduledSendEntity,
  wakeup: WakeupEntity,
  registerRecord: RegisterRecordEntity,
  registerHead: RegisterHeadEntity,
  webhookSubscription: WebhookSubscriptionEntity,
  webhookDelivery: WebhookDeliveryEntity,
  webhookAttempt: WebhookAttemptEntity,
};

export type CrmEntities = typeof entities;

// importing this module (tests, scripts) loads every entity: functions load only their repositories' (entity-registry.ts)
registerEntities(entities);

/** The ElectroDB service of every entity of the single table, bound to the table and client. */
export function createService(client: DynamoDBDocumentClient, table: string) {
  return new Service(entities, { client, table });
}

export type CrmService = ReturnType<typeof createService>;
