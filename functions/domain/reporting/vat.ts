/**
 * The VAT summary per rate for a period (a helper for form 303), with the withholding:
 * - accrual: the sales ledger's rows of the period (issue date), added per currency and rate: it equals the
 *   ledger's totals per rate by construction;
 * - cash (criterio de caja): the money received in the period (allocations of payments dated in it, minus the
 *   reversals dated in it), each prorated to its invoice's rows by allocation / amountPayable; credit-note
 *   credit is not cash (the credit note itself is in the accrual ledger). Rounded once per currency and rate.
 */
import { Decimal, dec, formatAmount, sum } from '../kernel';
import type { LedgerRecords } from '../payments';
import type { ReportInvoice } from './model';
import { type SalesLedgerRow, rowsOf, salesLedger } from './sales-ledger';

export type VatBasis = 'accrual' | 'cash';

export interface VatRateRow {
  currency: string;
  vatRate: string;
  base: string;
  vatAmount: string;
  withholdingAmount: string;
}

export interface VatSummary {
  from: string;
  to: string;
  basis: VatBasis;
  rates: VatRateRow[];
  totals: { currency: string; base: string; vatAmount: string; withholdingAmount: string }[];
}

interface Acc {
  base: Decimal;
  vat: Decimal;
  withholding: Decimal;
}

function summarize(period: { from: string; to: string }, basis: VatBasis, acc: Map<string, Acc>): VatSummary {
  const keys = [...acc.keys()].sort((a, b) => {
    const [ca, ra] = a.split('|');
    const [cb, rb] = b.split('|');
    return ca.localeCompare(cb) || dec(rb).comparedTo(ra);
  });
  const rates = keys.map((key) => {
    const [currency, vatRate] = key.split('|');
    const a = acc.get(key)!;
    return {
      currency,
      vatRate,
      base: formatAmount(a.base, currency),
      vatAmount: formatAmount(a.vat, currency),
      withholdingAmount: formatAmount(a.withholding, currency),
    };
  });
  const currencies = [...new Set(rates.map((r) => r.currency))];
  const totals = currencies.map((currency) => {
    const list = rates.filter((r) => r.currency === currency);
    return {
      currency,
      base: formatAmount(sum(list.map((r) => r.base)), currency),
      vatAmount: formatAmount(sum(list.map((r) => r.vatAmount)), currency),
      withholdingAmount: formatAmount(sum(list.map((r) => r.withholdingAmount)), currency),
    };
  });
  return { from: period.from, to: period.to, basis, rates, totals };
}

function add(acc: Map<string, Acc>, row: SalesLedgerRow, factor: Decimal) {
  const key = `${row.currency}|${row.vatRate}`;
  const a = acc.get(key) ?? { base: new Decimal(0), vat: new Decimal(0), withholding: new Decimal(0) };
  acc.set(key, {
    base: a.base.plus(dec(row.base).times(factor)),
    vat: a.vat.plus(dec(row.vatAmount).times(factor)),
    withholding: a.withholding.plus(dec(row.withholdingAmount).times(factor)),
  });
}

/** Accrual: the ledger of the documents issued in the period, per currency and rate. */
export function accrualVat(invoices: ReportInvoice[], period: { from: string; to: string }): VatSummary {
  const acc = new Map<string, Acc>();
  for (const row of salesLedger(invoices, period).rows) add(acc, row, new Decimal(1));
  return summarize(period, 'accrual', acc);
}

/**
 * Cash: `records` are the ledger records dated in the period; `invoicesById` the invoices they apply to.
 * A payment's allocation counts `amount / amountPayable` of each row of its invoice; a reversal the opposite.
 */
export function cashVat(records: LedgerRecords, invoicesById: Map<string, ReportInvoice>, period: { from: string; to: string }): VatSummary {
  const acc = new Map<string, Acc>();
  const apply = (invoiceId: string, amount: string, sign: 1 | -1) => {
    const invoice = invoicesById.get(invoiceId);
    if (!invoice) return;
    const payable = dec(invoice.totals.total);
    if (payable.isZero()) return;
    const factor = dec(amount).div(payable).times(sign);
    for (const row of rowsOf(invoice)) add(acc, row, factor);
  };
  for (const a of records.allocations) {
    if (a.source.type === 'payment' && a.date >= period.from && a.date <= period.to) apply(a.invoiceId, a.amount, 1);
  }
  for (const r of records.reversals) {
    if (r.source.type === 'payment' && r.date >= period.from && r.date <= period.to) apply(r.invoiceId, r.amount, -1);
  }
  return summarize(period, 'cash', acc);
}

/** The invoices a cash summary needs: those the records apply to. */
export function invoiceIdsOf(records: LedgerRecords): string[] {
  return [...new Set([...records.allocations.map((a) => a.invoiceId), ...records.reversals.map((r) => r.invoiceId)])];
}
