/**
 * The one-page PDF forms of aging and forecast: plain HTML with an inline SVG bar chart (no script, nothing
 * fetched but the built-in fonts), rendered by the same sandboxed renderer as invoices. The JSON report is the
 * source of every number printed here; the table keeps to one page (the largest rows, the rest summed).
 */
import { dec, sum } from '../kernel';
import { agingCells, type AgingReport } from './aging';
import type { Forecast } from './forecast';

const esc = (s: unknown) =>
  String(s ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');

export interface Bar {
  label: string;
  value: string;
}

/** A bar chart as SVG: one bar per label, its value on top; negative values drawn from the zero line down. */
export function barChart(bars: Bar[], options: { width?: number; height?: number; color?: string } = {}): string {
  const width = options.width ?? 680;
  const height = options.height ?? 220;
  const top = 20;
  const bottom = 30;
  const values = bars.map((b) => Number(b.value));
  const max = Math.max(0, ...values);
  const min = Math.min(0, ...values);
  const span = max - min || 1;
  const plot = height - top - bottom;
  const zeroY = top + (max / span) * plot;
  const slot = width / Math.max(bars.length, 1);
  const barWidth = Math.min(60, slot * 0.6);
  const parts = bars.map((b, i) => {
    const v = values[i];
    const h = (Math.abs(v) / span) * plot;
    const x = i * slot + (slot - barWidth) / 2;
    const y = v >= 0 ? zeroY - h : zeroY;
    return [
      `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${barWidth.toFixed(1)}" height="${h.toFixed(1)}" fill="${options.color ?? '#1f5fae'}"/>`,
      `<text x="${(x + barWidth / 2).toFixed(1)}" y="${(v >= 0 ? y - 4 : y + h + 12).toFixed(1)}" text-anchor="middle" font-size="10">${esc(b.value)}</text>`,
      `<text x="${(x + barWidth / 2).toFixed(1)}" y="${height - 10}" text-anchor="middle" font-size="11">${esc(b.label)}</text>`,
    ].join('');
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img"><line x1="0" y1="${zeroY.toFixed(1)}" x2="${width}" y2="${zeroY.toFixed(1)}" stroke="#888" stroke-width="1"/>${parts.join('')}</svg>`;
}

function page(input: { title: string; subtitle: string; chart: string; header: string[]; rows: string[][]; footer?: string[][]; assetOrigin: string }): string {
  const row = (cells: string[], tag = 'td') => `<tr>${cells.map((c, i) => `<${tag}${i > 0 ? ' class="n"' : ''}>${esc(c)}</${tag}>`).join('')}</tr>`;
  return `<!doctype html><html><head><meta charset="utf-8"><title>${esc(input.title)}</title>
<link rel="stylesheet" href="${input.assetOrigin}/fonts.css">
<style>
@page { size: A4 landscape; margin: 14mm; }
body { font-family: 'Noto Sans', sans-serif; font-size: 10px; color: #222; }
h1 { font-size: 18px; margin: 0 0 2px; } p.sub { margin: 0 0 10px; color: #555; }
table { border-collapse: collapse; width: 100%; margin-top: 10px; }
th, td { border-bottom: 1px solid #ddd; padding: 3px 5px; text-align: left; }
th { background: #f2f4f8; } .n { text-align: right; } tfoot td { font-weight: bold; border-top: 2px solid #999; }
</style></head><body>
<h1>${esc(input.title)}</h1><p class="sub">${esc(input.subtitle)}</p>
${input.chart}
<table><thead>${row(input.header, 'th')}</thead><tbody>${input.rows.map((r) => row(r)).join('')}</tbody>${input.footer ? `<tfoot>${input.footer.map((r) => row(r)).join('')}</tfoot>` : ''}</table>
</body></html>`;
}

const MAX_ROWS = 18;

/** Aging as one page: the buckets' chart (first currency), the largest clients, the totals. */
export function agingPage(report: AgingReport, assetOrigin: string): string {
  const [first] = report.totals;
  const bars = first ? report.buckets.map((b) => ({ label: b, value: first.buckets[b] })) : [];
  const header = ['Client', 'Currency', ...report.buckets, 'Total', 'Unapplied credit', 'Net'];
  const line = (name: string, l: (typeof report.totals)[number]) => [name, ...agingCells(report, l)];
  const sorted = [...report.clients].sort((a, b) => dec(b.total).comparedTo(a.total));
  const shown = sorted.slice(0, MAX_ROWS);
  const rest = sorted.slice(MAX_ROWS);
  const rows = shown.map((c) => line(c.clientName ?? c.clientId, c));
  if (rest.length > 0) rows.push([`${rest.length} more clients`, '', ...report.buckets.map(() => ''), sum(rest.map((c) => c.total)).toFixed(2), '', '']);
  return page({
    title: 'Aged receivables',
    subtitle: `As of ${report.asOf}${first ? ` · open ${first.total} ${first.currency}, unapplied credit ${first.unappliedCredit}, net ${first.net}` : ' · nothing open'}`,
    chart: barChart(bars),
    header,
    rows,
    footer: report.totals.map((t) => line('Total', t)),
    assetOrigin,
  });
}

/** The forecast as one page: the months' totals (first currency) as a chart, then each month's parts. */
export function forecastPage(report: Forecast, assetOrigin: string): string {
  const currency = report.rows[0]?.currency;
  const bars = report.months.map((m) => ({ label: m, value: report.rows.find((r) => r.month === m && r.currency === currency)?.total ?? '0.00' }));
  return page({
    title: 'Billing and collections forecast',
    subtitle: `From ${report.asOf}${report.overdue.length ? ` · overdue (in the first month): ${report.overdue.map((o) => `${o.amount} ${o.currency}`).join(', ')}` : ''}`,
    chart: barChart(bars, { color: '#2e8b57' }),
    header: ['Month', 'Currency', 'Recurring', 'Open invoices', 'Weighted deals', 'Total'],
    rows: report.rows.map((r) => [r.month, r.currency, r.recurring, r.openInvoices, r.weightedDeals, r.total]),
    assetOrigin,
  });
}
