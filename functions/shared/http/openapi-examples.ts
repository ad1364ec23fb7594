/**
 * Request and response examples of the OpenAPI document (docs/openapi.json), by route: what a newcomer copies.
 * The data is fictitious (reserved .example domains; tax ids that only pass their check-character rules).
 */
const address = { line1: 'Calle Mayor 1', city: 'Madrid', postalCode: '28001', country: 'ES' };
const company = {
  name: 'Acme Iberia',
  legalName: 'Acme Iberia S.L.',
  legalForm: 'S.L.',
  taxId: 'B12345674',
  email: 'billing@acme.example',
  phone: '+34 600 123 456',
  address,
  locale: 'es',
};
const meta = { version: 1, createdAt: '2026-11-22T10:00:00.000Z', updatedAt: '2026-11-22T10:00:00.000Z' };
const lines = [
  { description: 'Consulting', quantity: '10', unitPrice: '95.00', taxRate: '21' },
  { description: 'Books', quantity: '2', unitPrice: '19.99', taxRate: '4', discountPercent: '10' },
];

export const OPENAPI_EXAMPLES: Record<string, { request?: unknown; response?: unknown }> = {
  'POST /v1/companies': { request: company, response: { id: 'cmp_01jd0000000000000000000000', ...company, ...meta } },
  'POST /v1/contacts': {
    request: { firstName: 'Lucía', lastName: 'Fernández', email: 'lucia@example.com', phone: '+34 611 222 333', taxId: '12345678Z', address, locale: 'es' },
  },
  'POST /v1/products': { request: { name: 'Consulting hour', unitPrice: '95.00', currency: 'EUR', taxRate: '21', unit: 'h' } },
  'POST /v1/leads': {
    request: {
      title: 'Website redesign',
      contact: { firstName: 'Marta', lastName: 'Gómez', email: 'marta@nandu.example' },
      company: { name: 'Ñandú S.L.', taxId: 'B87654323' },
      city: 'Sevilla',
    },
  },
  'POST /v1/deals': { request: { title: 'Annual support', companyId: 'cmp_01jd0000000000000000000000', currency: 'EUR', lines } },
  'POST /v1/quotes': { request: { companyId: 'cmp_01jd0000000000000000000000', lines, validUntil: '2026-12-31' } },
  'POST /v1/invoices': {
    request: { companyId: 'cmp_01jd0000000000000000000000', currency: 'EUR', dueDate: '2026-12-31', lines },
    response: {
      id: 'inv_01jd0000000000000000000000',
      number: null,
      series: 'invoice',
      type: 'invoice',
      stage: 'NEW',
      status: 'draft',
      client: { kind: 'company', id: 'cmp_01jd0000000000000000000000', ...company },
      lines: [
        { ...lines[0], netAmount: '950.00' },
        { ...lines[1], netAmount: '35.98' },
      ],
      currency: 'EUR',
      responsibleUserId: 'usr_01jd0000000000000000000000',
      createdBy: 'usr_01jd0000000000000000000000',
      totals: {
        net: '985.98',
        tax: '201.14',
        withholding: '0.00',
        total: '1187.12',
        taxBreakdown: [
          { rate: '21', base: '950.00', amount: '199.50' },
          { rate: '4', base: '35.98', amount: '1.44' },
        ],
        withholdingBreakdown: [],
      },
      issueDate: null,
      dueDate: '2026-12-31',
      // a draft owes nothing yet: the payment figures start when it is issued
      amountPayable: null,
      amountPaid: null,
      amountCredited: null,
      balanceDue: null,
      paymentStatus: null,
      paidAt: null,
      taxInclusiveTotal: '1187.12',
      fiscalType: null,
      ...meta,
    },
  },
  'POST /v1/invoices/{id}/stage': { request: { stage: 'SENT' } },
  'POST /v1/invoices/{id}/credit-notes': {
    request: { reason: 'R1', reasonText: 'the agreed price was 80.00', method: 'differences', lines: [{ line: 0, amount: '20.00' }], settle: 'credit' },
  },
  'POST /v1/invoices/{id}/cancel': { request: { reason: 'R4', reasonText: 'issued twice by mistake' } },
  'POST /v1/invoices/{id}/send': { request: { channel: 'email' } },
  'POST /v1/invoices/{id}/documents': { request: {} },
  'POST /v1/automation/rules': {
    request: {
      entity: 'invoice',
      stage: 'SENT',
      actions: [
        { type: 'create_document' },
        { type: 'send_email', subject: 'Factura {{number}}', body: 'Total {{total}}, vence el {{dueDate}}: {{link}}', attach: 'document' },
      ],
      triggers: [{ type: 'link_opened', moveTo: 'VIEWED' }],
    },
  },
  'PUT /v1/settings': {
    request: {
      locale: 'es',
      name: 'Demo Company',
      legalName: 'Demo Company S.L.',
      taxId: 'B12345674',
      address,
      email: 'billing@demo.example',
      bankAccount: { iban: 'ES91 2100 0418 4502 0005 1332', bic: 'CAIXESBBXXX' },
      notifyEmail: 'sales@demo.example',
    },
  },
  'POST /p/{token}/accept': { request: { signerName: 'Ana Pérez', consent: true } },
};
