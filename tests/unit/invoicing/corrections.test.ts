import { describe, expect, it } from 'vitest';
import { Invoice } from '../../../functions/domain/invoicing';
import { dec, RuleViolation, sum } from '../../../functions/domain/kernel';
import { acme, memoryPorts } from '../../fixtures/invoicing-fakes';

const tenantId = 'ten_01jtenant0000000000000000';
const actor = { type: 'user' as const, id: 'usr_clerk' };

async function failure(run: () => unknown): Promise<any> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
}

/** An issued invoice: 2 x 50.00 at 21 % with 15 % IRPF, and 1 x 20.00 at 10 % (payable 128.00). */
async function issued(setup = memoryPorts(), lines?: unknown[]) {
  setup.companies.set(acme.id, acme);
  const draft = await Invoice.create(setup.ports, {
    tenantId,
    actor,
    input: {
      companyId: acme.id,
      currency: 'EUR',
      dueDate: '2026-04-15',
      lines: (lines as never) ?? [
        { description: 'Hours', quantity: '2', unitPrice: '50.00', taxRate: '21', withholdingRate: '15' },
        { description: 'Book', quantity: '1', unitPrice: '20.00', taxRate: '10' },
      ],
    },
  });
  const invoice = await Invoice.moveToStage(setup.ports, { tenantId, id: draft.id, to: 'SENT', actor });
  return { ...setup, invoice };
}

describe('credit note amounts and caps', () => {
  it('negates the credited quantities at the line rates: VAT per rate and the withholding in proportion', async () => {
    const { ports, invoice } = await issued();

    const note = await Invoice.createCreditNote(ports, { tenantId, id: invoice.id, actor, input: { reason: 'R1', lines: [{ line: 0, quantity: '1' }] } });

    expect(note.totals).toMatchObject({ net: '-50.00', tax: '-10.50', withholding: '-7.50', total: '-53.00' });
    expect(note.credits).toEqual([{ line: 0, quantity: '1', net: '50.00' }]);
    expect(note.corrects).toEqual([{ invoiceId: invoice.id, number: invoice.number, issueDate: invoice.issueDate }]);
  });

  it('counts drafts against the caps and answers 422 with what remains of the line', async () => {
    const { ports, invoice } = await issued();
    await Invoice.createCreditNote(ports, { tenantId, id: invoice.id, actor, input: { reason: 'R4', lines: [{ line: 0, amount: '60.00' }] } });

    const error = await failure(() =>
      Invoice.createCreditNote(ports, { tenantId, id: invoice.id, actor, input: { reason: 'R4', lines: [{ line: 0, amount: '50.00' }] } }),
    );
    const byQuantity = await failure(() =>
      Invoice.createCreditNote(ports, { tenantId, id: invoice.id, actor, input: { reason: 'R4', lines: [{ line: 0, quantity: '1' }] } }),
    );

    expect(error).toBeInstanceOf(RuleViolation);
    expect(error.extra).toMatchObject({ remaining: '40.00', code: 'CREDIT_EXCEEDS_ORIGINAL' });
    expect(error.errors).toEqual([expect.objectContaining({ field: 'lines[0].amount' })]);
    expect(byQuantity.extra.remaining).toBe('40.00');
  });

  it('credits in full only what is left: the rest of a line credited by amount, untouched lines by quantity', async () => {
    const { ports, invoice } = await issued();
    await Invoice.createCreditNote(ports, { tenantId, id: invoice.id, actor, input: { reason: 'R4', lines: [{ line: 0, amount: '60.00' }] } });

    const rest = await Invoice.createCreditNote(ports, { tenantId, id: invoice.id, actor, input: { reason: 'R4', full: true } });
    const nothing = await failure(() => Invoice.createCreditNote(ports, { tenantId, id: invoice.id, actor, input: { reason: 'R4', full: true } }));

    expect(rest.credits).toEqual([
      { line: 0, quantity: '0', net: '40.00' },
      { line: 1, quantity: '1', net: '20.00' },
    ]);
    expect(rest.lines.map((l) => [l.quantity, l.unitPrice, l.netAmount])).toEqual([
      ['-1', '40.00', '-40.00'],
      ['-1', '20.00', '-20.00'],
    ]);
    expect(nothing.extra.remaining).toBe('0.00');
  });

  it('refuses a draft, a proforma, R5 on an ordinary invoice, an unknown line and an original over 4 years old', async () => {
    const setup = memoryPorts();
    setup.companies.set(acme.id, acme);
    const draft = await Invoice.create(setup.ports, { tenantId, actor, input: { companyId: acme.id, currency: 'EUR', lines: [] } });
    const { ports, invoice } = await issued(setup);
    const later = { ...ports, now: () => new Date('2030-03-16T10:00:00Z') };

    const onDraft = await failure(() => Invoice.createCreditNote(ports, { tenantId, id: draft.id, actor, input: { reason: 'R4', full: true } }));
    const r5 = await failure(() => Invoice.createCreditNote(ports, { tenantId, id: invoice.id, actor, input: { reason: 'R5', full: true } }));
    const noLine = await failure(() =>
      Invoice.createCreditNote(ports, { tenantId, id: invoice.id, actor, input: { reason: 'R4', lines: [{ line: 2, quantity: '1' }] } }),
    );
    const old = await failure(() => Invoice.createCreditNote(later, { tenantId, id: invoice.id, actor, input: { reason: 'R4', full: true } }));
    const inTime = await Invoice.createCreditNote(
      { ...ports, now: () => new Date('2030-03-15T10:00:00Z') },
      { tenantId, id: invoice.id, actor, input: { reason: 'R4', full: true } },
    );

    expect(onDraft.errors[0].field).toBe('id');
    expect(r5.errors[0].field).toBe('reason');
    expect(noLine.errors[0].field).toBe('lines[0].line');
    expect(old.errors[0].field).toBe('issueDate');
    expect(inTime.status).toBe('draft');
  });
});

describe('issuing a credit note', () => {
  it("applies it to the original's balance in the transaction that numbers it; figures rebuild from the ledger records", async () => {
    const { ports, invoice, invoices } = await issued();
    const first = await Invoice.createCreditNote(ports, { tenantId, id: invoice.id, actor, input: { reason: 'R1', lines: [{ line: 1, quantity: '1' }] } });
    const second = await Invoice.createCreditNote(ports, { tenantId, id: invoice.id, actor, input: { reason: 'R1', full: true, settle: 'credit' } });

    const a = await Invoice.moveToStage(ports, { tenantId, id: first.id, to: 'SENT', actor });
    const b = await Invoice.moveToStage(ports, { tenantId, id: second.id, to: 'SENT', actor });
    const original = (await invoices.get(tenantId, invoice.id))!;

    expect([a.number, b.number]).toEqual(['CN-2026-000001', 'CN-2026-000002']);
    expect(a.credit).toEqual({ amount: '22.00', applied: '22.00', refunded: '0.00', settledOutside: '0.00', unapplied: '0.00' });
    expect(Invoice.view(original)).toMatchObject({ amountCredited: '128.00', balanceDue: '0.00', paymentStatus: 'paid', fiscalType: 'F1' });
    expect(Invoice.view(b)).toMatchObject({ fiscalType: 'R1', credit: { amount: '106.00', applied: '106.00' } });
    // rebuilt from the records: the allocations drawn on the notes are what the original shows credited
    const allocations = invoices.ledger.filter((r) => r.kind === 'allocation' && r.invoiceId === invoice.id);
    expect(sum(allocations.map((r) => r.amount)).toFixed(2)).toBe(original.settlement!.amountCredited);
    expect(original.correctedBy!.map((n) => [n.number, n.status])).toEqual([
      ['CN-2026-000001', 'issued'],
      ['CN-2026-000002', 'issued'],
    ]);
    // a note's credit adds up: applied + refunded + settled outside + unapplied = its amount
    for (const note of [a, b]) {
      const c = note.credit!;
      expect(dec(c.applied).plus(c.refunded).plus(c.settledOutside).plus(c.unapplied).toFixed(2)).toBe(c.amount);
    }
  });

  it('cancels: a full note issued at once, the original moved to CANCELLED (void), nothing due', async () => {
    const { ports, invoice, invoices } = await issued();

    const { invoice: cancelled, creditNote } = await Invoice.cancel(ports, { tenantId, id: invoice.id, actor, input: { reason: 'R4' } });
    const again = await failure(() => Invoice.cancel(ports, { tenantId, id: invoice.id, actor, input: { reason: 'R4' } }));

    expect(cancelled).toMatchObject({ stage: 'CANCELLED', status: 'void' });
    expect(Invoice.view(cancelled)).toMatchObject({ balanceDue: '0.00' });
    expect(creditNote).toMatchObject({ status: 'issued', totals: { total: '-128.00' }, credit: { applied: '128.00' } });
    expect(again.kind).toBe('conflict');
    expect(invoices.ledger).toHaveLength(1);
  });
});
