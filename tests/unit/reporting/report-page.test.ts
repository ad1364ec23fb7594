import { describe, expect, it } from 'vitest';
import { Aging, ReportPages } from '../../../functions/domain/reporting';
import { generateBooks } from '../../fixtures/reporting-fakes';

describe('report pages', () => {
  it('aging: an inline SVG chart with one bar per bucket, no script, names escaped, totals of the JSON', () => {
    const books = generateBooks(200, 5);
    const report = Aging.aging({ asOf: '2026-05-01', invoices: books.invoices, records: books.records, payments: books.payments });
    const html = ReportPages.agingPage(report, 'https://assets.invalid');
    expect(html).not.toMatch(/<script/i);
    expect(html.match(/<rect /g)).toHaveLength(report.buckets.length);
    expect(html).toContain(report.totals[0].total);
    expect(html).toContain('Client 1, S.L.');
    const evil = ReportPages.barChart([{ label: '<b>x</b>', value: '-5.00' }]);
    expect(evil).toContain('&lt;b&gt;x&lt;/b&gt;');
  });
});
