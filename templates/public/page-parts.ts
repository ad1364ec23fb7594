/**
 * What the client's pages (quote page, invoice page) share: the parties as printed, the helpers the handlers
 * hand in, and the seller / client blocks. Pure HTML building; every word comes from the catalogue.
 */

export interface PageAddress {
  line1: string;
  line2?: string | null;
  city: string;
  postalCode: string;
  region?: string | null;
  country: string;
}

export interface PageParty {
  name: string;
  legalName?: string | null;
  taxId?: string | null;
  address?: PageAddress | null;
  email?: string | null;
  phone?: string | null;
}

/** The helpers every page gets from its handler (HTML escaping, locale formatting, the texts, the page's URL). */
export interface PageHelpers {
  /** Text and attribute values as HTML. */
  esc(value: unknown): string;
  formatMoney(amount: unknown, currency: string, locale: string): string;
  formatNumber(amount: unknown, locale: string): string;
  formatPercent(rate: unknown, locale: string): string;
  formatDate(iso: unknown, locale: string): string;
  intlLocale(locale: string | null | undefined): string;
  /** The texts of a language: `t('quotePage.acceptTitle')`. */
  translator(locale: string | null | undefined): (key: string, params?: Readonly<Record<string, unknown>>) => string;
  /** The public URL of the link's page. */
  pageUrl(token: string): string;
}

export type Translate = ReturnType<PageHelpers['translator']>;

/** An address as printed lines (street, postal code and city, region and country). */
export function addressLines(a: PageAddress | null | undefined): string[] {
  if (!a) return [];
  return [a.line1, a.line2, [a.postalCode, a.city].filter(Boolean).join(' '), [a.region, a.country].filter(Boolean).join(', ')].filter((l): l is string =>
    Boolean(l && l.trim()),
  );
}

/** A party's block (seller, client): its name, then legal name, `extra` lines, tax id, address, e-mail and phone. Nothing when it has no name. */
export function partyBlock(esc: PageHelpers['esc'], t: Translate, title: string, p: PageParty, extra: string[] = []): string {
  if (!p.name) return ''; // a simplified invoice names no recipient
  const lines = [
    p.legalName && p.legalName !== p.name ? p.legalName : null,
    ...extra,
    p.taxId ? `${t('document.taxId')} ${p.taxId}` : null,
    ...addressLines(p.address ?? null),
    p.email,
    p.phone,
  ].filter((l): l is string => Boolean(l));
  return `<section><h2>${esc(title)}</h2><p><strong>${esc(p.name)}</strong></p>${lines.map((l) => `<p>${esc(l)}</p>`).join('')}</section>`;
}
