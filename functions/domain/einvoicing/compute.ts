/**
 * Every figure of an e-invoice, computed once, rounded as EN 16931 wants, before any XML is written.
 *
 * Rounding (the invoice rule of invoice-totals.ts, through the project's money module):
 * - a line's net amount is quantity x price x (1 - discount/100), rounded once to the currency's minor
 *   unit (computeLine); a net amount given in the input (as issued) is kept as is;
 * - the line discount is carried as a line allowance: gross (quantity x price, rounded) minus net, so that
 *   gross - allowance = net exactly;
 * - VAT is computed per category and rate on the SUM of that group's taxable amount (line nets - document
 *   allowances + document charges of the group) and rounded once per group (BR-S-08/09 and friends);
 * - totals are plain sums of rounded figures, so BR-CO-10 (sum of lines), BR-CO-11/12 (allowances and
 *   charges), BR-CO-13 (tax exclusive), BR-CO-14 (VAT total), BR-CO-15 (tax inclusive) and BR-CO-16
 *   (amount due) hold to the cent.
 *
 * Withholding (Spain's IRPF). IRPF is an income-tax prepayment the BUYER withholds and pays to the tax
 * agency on the seller's behalf; it is not VAT and EN 16931 has no element for it. It must not be a VAT
 * category (it would change the VAT breakdown) nor a document allowance (it would lower the VAT base).
 * So the VAT figures, the invoice total with VAT (BT-112, which Veri*Factu's ImporteTotal also is) and
 * the tax base stay untouched, and the withheld amount is carried as the paid amount (BT-113): from the
 * seller's point of view that part is settled by the buyer's payment to the tax agency. The amount due
 * (BT-115 = BT-112 - BT-113, BR-CO-16) is then exactly what the buyer transfers, and a note (BT-22)
 * says what was withheld, at which rate and on which base, so a reader never mistakes it for an advance.
 */
import { computeLine, type Decimal, dec, formatAmount, RuleViolation, roundMoney, sum } from '../kernel';
import { DEFAULT_EXEMPTION, unitCode } from './codes';
import type { ComputedAllowanceCharge, ComputedEInvoice, ComputedLine, ComputedVat, EInvoiceInput, EInvoiceVat, VatBreakdownRow } from './model';
import { validateInput } from './validate';

function computedVat(vat: EInvoiceVat): ComputedVat {
  if (vat.category === 'O') return { category: 'O', rate: null };
  return { category: vat.category, rate: dec(vat.rate ?? '0').toString() };
}

const groupKey = (vat: ComputedVat) => `${vat.category}|${vat.rate ?? ''}`;

interface Group {
  vat: ComputedVat;
  lineNet: Decimal;
  allowances: Decimal;
  charges: Decimal;
  reason?: { text?: string; code?: string; field: string };
}

function line(input: EInvoiceInput, i: number): ComputedLine {
  const l = input.lines[i];
  const currency = input.currency;
  const net =
    l.netAmount !== undefined
      ? dec(l.netAmount)
      : dec(
          computeLine(
            { description: l.name, quantity: l.quantity, unitPrice: l.unitPrice, taxRate: l.vat.rate ?? '0', discountPercent: l.discountPercent },
            currency,
          ).netAmount,
        );
  const out: ComputedLine = {
    id: l.id ?? String(i + 1),
    name: l.name.trim(),
    description: l.description?.trim() || undefined,
    sellerItemId: l.sellerItemId,
    quantity: dec(l.quantity).toString(),
    unitCode: unitCode(l.unitCode),
    unitPrice: dec(l.unitPrice).toString(),
    netAmount: formatAmount(net, currency),
    vat: computedVat(l.vat),
  };
  if (l.period) out.period = { ...(l.period.start ? { start: l.period.start } : {}), ...(l.period.end ? { end: l.period.end } : {}) };
  const gross = roundMoney(dec(l.quantity).times(dec(l.unitPrice)), currency);
  if (l.discountPercent !== undefined && !dec(l.discountPercent).isZero()) {
    out.grossAmount = formatAmount(gross, currency);
    out.discount = {
      amount: formatAmount(gross.minus(net), currency),
      percent: dec(l.discountPercent).toString(),
      reason: l.discountReason?.trim() || 'Discount',
    };
  }
  return out;
}

/** Records the exemption reason a line or allowance gives its group; two different ones are a conflict. */
function noteReason(group: Group, vat: EInvoiceVat, field: string, conflicts: { field: string; message: string }[]): void {
  const text = vat.exemptionReason?.trim() || undefined;
  const code = vat.exemptionReasonCode?.trim() || undefined;
  if (!text && !code) return;
  if (!group.reason) {
    group.reason = { text, code, field };
  } else if ((text && group.reason.text && text !== group.reason.text) || (code && group.reason.code && code !== group.reason.code)) {
    conflicts.push({
      field,
      message: `one VAT breakdown per category and rate: this exemption reason differs from the one of ${group.reason.field}`,
    });
  } else {
    group.reason.text ??= text;
    group.reason.code ??= code;
  }
}

/**
 * Checks the input and computes every figure. Throws RuleViolation listing every problem (field paths of
 * EInvoiceInput). Pure: the same input always gives the same document.
 */
export function computeEInvoice(input: EInvoiceInput): ComputedEInvoice {
  const errors = validateInput(input);
  if (errors.length > 0) throw new RuleViolation('the e-invoice cannot be built', errors);
  const currency = input.currency;

  const lines = input.lines.map((_, i) => line(input, i));
  const groups = new Map<string, Group>();
  const groupOf = (vat: ComputedVat): Group => {
    const key = groupKey(vat);
    let group = groups.get(key);
    if (!group) {
      group = { vat, lineNet: dec(0), allowances: dec(0), charges: dec(0) };
      groups.set(key, group);
    }
    return group;
  };
  const conflicts: { field: string; message: string }[] = [];
  lines.forEach((l, i) => {
    const group = groupOf(l.vat);
    group.lineNet = group.lineNet.plus(dec(l.netAmount));
    noteReason(group, input.lines[i].vat, `lines[${i}].vat.exemptionReason`, conflicts);
  });

  const allowancesCharges: ComputedAllowanceCharge[] = (input.allowancesCharges ?? []).map((ac, i) => {
    const vat = computedVat(ac.vat);
    const group = groupOf(vat);
    noteReason(group, ac.vat, `allowancesCharges[${i}].vat.exemptionReason`, conflicts);
    const base = ac.baseAmount !== undefined ? dec(ac.baseAmount) : ac.percent !== undefined ? group.lineNet : undefined;
    const amount = ac.amount !== undefined ? dec(ac.amount) : roundMoney(base!.times(dec(ac.percent!)).dividedBy(100), currency);
    if (ac.charge) group.charges = group.charges.plus(amount);
    else group.allowances = group.allowances.plus(amount);
    return {
      charge: ac.charge,
      amount: formatAmount(amount, currency),
      percent: ac.percent !== undefined ? dec(ac.percent).toString() : undefined,
      baseAmount: base !== undefined && ac.percent !== undefined ? formatAmount(base, currency) : undefined,
      reason: ac.reason?.trim() || undefined,
      reasonCode: ac.reasonCode?.trim() || undefined,
      vat,
    };
  });

  const vatBreakdown: VatBreakdownRow[] = [];
  const sorted = [...groups.values()].sort((a, b) => dec(b.vat.rate ?? '0').comparedTo(dec(a.vat.rate ?? '0')) || a.vat.category.localeCompare(b.vat.category));
  for (const group of sorted) {
    const taxable = group.lineNet.minus(group.allowances).plus(group.charges);
    const tax = group.vat.rate === null ? dec(0) : roundMoney(taxable.times(dec(group.vat.rate)).dividedBy(100), currency);
    const fallback = DEFAULT_EXEMPTION[group.vat.category];
    const row: VatBreakdownRow = { ...group.vat, taxableAmount: formatAmount(taxable, currency), taxAmount: formatAmount(tax, currency) };
    if (group.vat.category !== 'S') {
      row.exemptionReason = group.reason?.text ?? (group.reason?.code ? undefined : fallback?.reason);
      row.exemptionReasonCode = group.reason?.code ?? (group.reason?.text ? undefined : fallback?.code);
      if (group.vat.category === 'E' && !row.exemptionReason && !row.exemptionReasonCode) {
        const first = input.lines.findIndex((l) => l.vat.category === 'E');
        conflicts.push({
          field: first >= 0 ? `lines[${first}].vat.exemptionReason` : 'lines',
          message: 'an exempt (E) line needs the exemption reason: the text or its VATEX code (BR-E-10)',
        });
      }
    }
    vatBreakdown.push(row);
  }
  if (conflicts.length > 0) throw new RuleViolation('the e-invoice cannot be built', conflicts);

  const lineNet = sum(lines.map((l) => l.netAmount));
  const allowances = sum(allowancesCharges.filter((a) => !a.charge).map((a) => a.amount));
  const charges = sum(allowancesCharges.filter((a) => a.charge).map((a) => a.amount));
  const taxExclusive = lineNet.minus(allowances).plus(charges);
  const tax = sum(vatBreakdown.map((r) => r.taxAmount));
  const taxInclusive = taxExclusive.plus(tax);
  const withholdings = (input.withholdings ?? []).map((w) => ({
    label: w.label.trim(),
    rate: dec(w.rate).toString(),
    base: formatAmount(w.base, currency),
    amount: formatAmount(w.amount, currency),
  }));
  const withholding = sum(withholdings.map((w) => w.amount));

  const notes = (input.notes ?? []).map((n) => n.trim()).filter((n) => n !== '');
  for (const w of withholdings) {
    notes.push(
      `${w.label} withholding of ${w.rate}% on ${w.base} ${currency}: ${w.amount} ${currency}, withheld by the buyer and paid to the tax agency; ` +
        'shown as the paid amount, so the amount due is the total less the withholding.',
    );
  }
  const pm = input.paymentMeans;
  return {
    kind: input.kind,
    number: input.number.trim(),
    issueDate: input.issueDate,
    dueDate: input.dueDate,
    operationDate: input.operationDate,
    currency,
    buyerReference: input.buyerReference,
    orderReference: input.orderReference,
    notes,
    paymentTerms: input.paymentTerms?.trim() || undefined,
    paymentMeans: pm ? { ...pm, code: pm.code ?? '58', iban: pm.iban?.replace(/\s/g, ''), reference: pm.reference ?? input.number.trim() } : undefined,
    seller: input.seller,
    buyer: input.buyer,
    deliveryCountry: input.deliveryCountry ?? (lines.some((l) => l.vat.category === 'K') ? input.buyer.address.country : undefined),
    lines,
    allowancesCharges,
    vatBreakdown,
    withholdings,
    precedingInvoices: input.precedingInvoices ?? [],
    supportingDocuments: input.supportingDocuments ?? [],
    totals: {
      lineNet: formatAmount(lineNet, currency),
      allowances: formatAmount(allowances, currency),
      charges: formatAmount(charges, currency),
      taxExclusive: formatAmount(taxExclusive, currency),
      tax: formatAmount(tax, currency),
      taxInclusive: formatAmount(taxInclusive, currency),
      withholding: formatAmount(withholding, currency),
      prepaid: formatAmount(withholding, currency),
      payable: formatAmount(taxInclusive.minus(withholding), currency),
    },
  };
}
