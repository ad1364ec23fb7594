/**
 * The legal minimum an invoice must carry to be issued (to leave NEW by any path: SENT, straight to PAID, by a
 * rule), whatever the tenant's pipeline says; the pipeline's own required fields come on top.
 *
 * Spain (RD 1619/2012, art. 6 and 7) and the EU VAT directive (art. 226) ask the same core: the seller's and the
 * recipient's full name or legal name, tax id and address. One list of requirements per invoice type, so that a
 * type added later (simplified, rectifying...) says what it needs in one place:
 *   invoice      (full, F1)    seller: legal name, tax id, full address; client: legal name, tax id, full address
 *   credit_note  (R1-R5)       the same as the invoice it corrects
 *   proforma                   seller complete (it is not a tax document: the client only needs a name)
 *   simplified   (F2, later)   seller complete; no client details
 * An unknown type is held to the full invoice's list. Tax ids must also be valid where a check exists
 * (Spanish NIF/NIE/CIF, Russian INN, EU VAT formats: kernel/tax-id.ts).
 */
import type { ClientSnapshot } from '../clients';
import { isPresent, taxIdProblem, type FieldError } from '../kernel';

/** The seller's legal details, as the tenant's settings give them (PUT /v1/settings). */
export interface SellerLegalDetails {
  legalName?: string;
  taxId?: string;
  address?: { line1?: string; city?: string; postalCode?: string; country?: string };
}

interface Subject {
  seller: SellerLegalDetails | null;
  client: ClientSnapshot | null;
}

interface Requirement {
  field: string;
  message: string;
  /** Null when met; else the message (the default one, or a more precise one). */
  check(subject: Subject): string | null;
}

const ADDRESS_PARTS = [
  ['line1', 'street and number'],
  ['city', 'city'],
  ['postalCode', 'postal code'],
  ['country', 'country'],
] as const;

function present(value: unknown, message: string): string | null {
  return isPresent(value) ? null : message;
}

const SETTINGS = 'set it in PUT /v1/settings';

const sellerRequirements: Requirement[] = [
  {
    field: 'seller.legalName',
    message: `the seller's legal name is missing: ${SETTINGS} (legalName)`,
    check: (s) => present(s.seller?.legalName, `the seller's legal name is missing: ${SETTINGS} (legalName)`),
  },
  {
    field: 'seller.taxId',
    message: `the seller's tax id is missing: ${SETTINGS} (taxId)`,
    check: (s) =>
      present(s.seller?.taxId, `the seller's tax id is missing: ${SETTINGS} (taxId)`) ??
      (s.seller?.taxId ? taxIdProblem(s.seller.taxId, s.seller.address?.country) : null),
  },
  ...ADDRESS_PARTS.map(([part, words]) => ({
    field: `seller.address.${part}`,
    message: `the seller's address lacks its ${words}: ${SETTINGS} (address.${part})`,
    check: (s: Subject) => present(s.seller?.address?.[part], `the seller's address lacks its ${words}: ${SETTINGS} (address.${part})`),
  })),
];

const UPDATE_CLIENT = "complete the company or contact (PATCH) and make the invoice again, or edit the invoice's client";

const clientRequirements: Requirement[] = [
  {
    // a company's registered name; a person's own name is their legal name
    field: 'client.legalName',
    message: `the client's legal name is missing: ${UPDATE_CLIENT}`,
    check: (s) =>
      s.client?.kind === 'company'
        ? present(s.client.legalName, `the client's legal name is missing: ${UPDATE_CLIENT}`)
        : present(s.client?.name, 'the client has no name'),
  },
  {
    field: 'client.taxId',
    message: `the client's tax id is missing: ${UPDATE_CLIENT}`,
    check: (s) =>
      present(s.client?.taxId, `the client's tax id is missing: ${UPDATE_CLIENT}`) ??
      (s.client?.taxId ? taxIdProblem(s.client.taxId, s.client.address?.country) : null),
  },
  ...ADDRESS_PARTS.map(([part, words]) => ({
    field: `client.address.${part}`,
    message: `the client's address lacks its ${words}: ${UPDATE_CLIENT}`,
    check: (s: Subject) => present(s.client?.address?.[part], `the client's address lacks its ${words}: ${UPDATE_CLIENT}`),
  })),
];

/** What each type of invoice must carry to be issued. */
export const LEGAL_MINIMUM: Readonly<Record<string, readonly Requirement[]>> = {
  invoice: [...sellerRequirements, ...clientRequirements],
  credit_note: [...sellerRequirements, ...clientRequirements],
  proforma: sellerRequirements,
  simplified: sellerRequirements,
};

/**
 * Everything the invoice lacks of its type's legal minimum, all at once (empty when it is complete). `seller`
 * null: the tenant has given no seller details at all.
 */
export function legalMinimumProblems(
  invoice: { type: string; client: ClientSnapshot | null; reason?: string },
  seller: SellerLegalDetails | null,
): FieldError[] {
  // an R5 credit note corrects a simplified invoice: it carries no recipient either
  const requirements =
    (invoice.type === 'credit_note' && invoice.reason === 'R5' ? LEGAL_MINIMUM.simplified : LEGAL_MINIMUM[invoice.type]) ?? LEGAL_MINIMUM.invoice!;
  const subject: Subject = { seller, client: invoice.client };
  return requirements.flatMap((r) => {
    const problem = r.check(subject);
    return problem ? [{ field: r.field, message: problem }] : [];
  });
}
