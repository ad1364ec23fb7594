/**
 * In-memory fakes of the invoice ports, for unit tests of the use cases (the adapters are tested on
 * DynamoDB Local). They keep the same all-or-nothing and condition semantics as the real store.
 */
import type { ClientDirectory, CompanyRecord, ContactRecord } from '../../functions/domain/clients/client';
import type {
  CommitResult,
  Invoice,
  InvoiceCommit,
  InvoicePorts,
  InvoiceStore,
  NumberCounter,
  PipelineSettings,
  PipelineStore,
  ProductRecord,
} from '../../functions/domain/invoicing/invoice';
import { createIssueQueue } from '../../functions/domain/invoicing/issuing';
import type { OutboxEvent } from '../../functions/domain/kernel/outbox';
import type { TimelineEntry } from '../../functions/domain/kernel/timeline';

export class MemoryInvoiceStore implements InvoiceStore {
  invoices = new Map<string, Invoice>();
  counters = new Map<string, NumberCounter>();
  timelineEntries: TimelineEntry[] = [];
  outbox: OutboxEvent[] = [];
  commits = 0;
  /** Invoices per commit. */
  batches: number[] = [];
  /** Outcomes to answer instead of committing, in order (e.g. ['contention', 'contention']). */
  injected: ('stale' | 'contention')[] = [];

  async get(tenantId: string, id: string) {
    const found = this.invoices.get(`${tenantId}/${id}`);
    return found ? structuredClone(found) : null;
  }

  async commit({ changes, counter }: InvoiceCommit): Promise<CommitResult> {
    this.commits++;
    this.batches.push(changes.length);
    const injected = this.injected.shift();
    if (injected === 'stale') return { outcome: 'stale', members: changes.map((_, i) => i) };
    if (injected) return { outcome: injected };
    const stale = changes.flatMap((change, i) => {
      const stored = this.invoices.get(`${change.after.tenantId}/${change.after.id}`);
      return (change.before ? stored?.version !== change.before.version : stored) ? [i] : [];
    });
    if (stale.length > 0) return { outcome: 'stale', members: stale };
    if (counter) {
      const key = `${counter.tenantId}/${counter.series}/${counter.period}`;
      const current = this.counters.get(key);
      if ((current?.value ?? 0) !== counter.expected) return { outcome: 'contention', counter: current ? { ...current } : null };
      this.counters.set(key, { tenantId: counter.tenantId, series: counter.series, period: counter.period, value: counter.next, lastIssueDate: counter.lastIssueDate });
    }
    for (const change of changes) {
      this.invoices.set(`${change.after.tenantId}/${change.after.id}`, structuredClone(change.after));
      this.timelineEntries.push(...change.timeline);
      this.outbox.push(...change.events);
    }
    return { outcome: 'ok' };
  }

  async getCounter(tenantId: string, series: string, period: string) {
    return this.counters.get(`${tenantId}/${series}/${period}`) ?? null;
  }

  async queryStep(): Promise<never> {
    throw new Error('lists are tested on DynamoDB Local');
  }

  async anyInStage(tenantId: string, stage: string) {
    return [...this.invoices.values()].some((i) => i.tenantId === tenantId && i.stage === stage);
  }

  async timeline(tenantId: string, invoiceId: string) {
    return { data: this.timelineEntries.filter((t) => t.tenantId === tenantId && t.subjectId === invoiceId), nextCursor: null };
  }
}

export class MemoryPipelineStore implements PipelineStore {
  stored = new Map<string, PipelineSettings>();
  async get(tenantId: string, kind: string) {
    return this.stored.get(`${tenantId}/${kind}`) ?? null;
  }
  async save(settings: PipelineSettings, expectedVersion: number) {
    const current = this.stored.get(`${settings.tenantId}/${settings.kind}`);
    if ((current?.version ?? 0) !== expectedVersion) throw new Error('stale');
    this.stored.set(`${settings.tenantId}/${settings.kind}`, settings);
    return settings;
  }
}

export function memoryPorts(overrides: Partial<InvoicePorts> = {}) {
  const invoices = new MemoryInvoiceStore();
  const pipelines = new MemoryPipelineStore();
  const companies = new Map<string, CompanyRecord>();
  const contacts = new Map<string, ContactRecord>();
  const products = new Map<string, ProductRecord>();
  const clients: ClientDirectory = {
    company: async (_t, id) => companies.get(id) ?? null,
    contact: async (_t, id) => contacts.get(id) ?? null,
  };
  const sleeps: number[] = [];
  const ports: InvoicePorts = {
    issueQueue: createIssueQueue({ sleep: async (ms) => { sleeps.push(ms); }, random: () => 0.5 }),
    invoices,
    pipelines,
    clients,
    products: { getProduct: async (_t, id) => products.get(id) ?? null },
    now: () => new Date('2026-03-15T10:00:00Z'),
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
    ...overrides,
  };
  return { ports, invoices, pipelines, companies, contacts, products, sleeps };
}

export const acme: CompanyRecord = {
  tenantId: 'ten_01jtenant0000000000000000',
  id: 'cmp_01jabcdefghjkmnpqrstvwxyz0',
  name: 'Ñandú Ibérica',
  legalName: 'Ñandú Ibérica S.L.',
  taxId: 'B12345678',
  email: 'billing@nandu.example',
  phone: '+34 600 123 456',
  address: { line1: 'Calle Mayor 1', city: 'Madrid', postalCode: '28001', country: 'ES' },
  responsibleUserId: 'usr_sales',
  createdAt: '2026-01-01T00:00:00.000Z',
};

export const lucia: ContactRecord = {
  tenantId: 'ten_01jtenant0000000000000000',
  id: 'con_01jabcdefghjkmnpqrstvwxyz0',
  firstName: 'Lucía',
  lastName: 'Fernández',
  email: 'lucia@example.com',
  createdAt: '2026-01-01T00:00:00.000Z',
};
