/**
 * The e-invoice engine's own input model, independent of how invoices are stored: everything EN 16931
 * needs, named after what it means. Builders turn it (once computed, see compute.ts) into UBL 2.1 and
 * UN/CEFACT CII D16B. Business terms are quoted as BT-n (EN 16931-1).
 *
 * Amounts and quantities are decimal strings. A credit note carries POSITIVE amounts: the document kind
 * says it is a credit (the mapping from a stored credit note, whose quantities are negative, flips them).
 */

/** VAT category codes (UNTDID 5305 subset of EN 16931). */
export const VAT_CATEGORIES = ['S', 'Z', 'E', 'AE', 'K', 'G', 'O'] as const;
/**
 * S standard rate; Z zero rated; E exempt (needs a reason); AE reverse charge; K intra-community supply;
 * G export outside the EU; O not subject to VAT (no VAT ids, no other category on the invoice).
 */
export type VatCategory = (typeof VAT_CATEGORIES)[number];

export type EInvoiceKind = 'invoice' | 'credit_note';
export type EInvoiceSyntax = 'ubl' | 'cii';

export interface EInvoiceAddress {
  line1?: string; // BT-35 / BT-50
  line2?: string; // BT-36 / BT-51
  city?: string; // BT-37 / BT-52
  postalCode?: string; // BT-38 / BT-53
  region?: string; // BT-39 / BT-54
  /** ISO 3166-1 alpha-2, e.g. "ES" (BT-40 / BT-55). */
  country: string;
}

export interface EInvoiceParty {
  /** Legal name (BT-27 seller, BT-44 buyer). */
  name: string;
  /** Trading name, when it differs (BT-28 / BT-45). */
  tradingName?: string;
  /** VAT identifier with its ISO 3166-1 country prefix, "EL" for Greece (BT-31 / BT-48). */
  vatId?: string;
  /** Legal registration identifier, e.g. a company register number or a non-EU tax number (BT-30 / BT-47). */
  legalId?: string;
  /** Additional legal information: legal form, share capital, register entry (BT-33, seller only). */
  legalForm?: string;
  address: EInvoiceAddress;
  contactName?: string; // BT-41 / BT-56
  phone?: string; // BT-42 / BT-57
  email?: string; // BT-43 / BT-58
}

/** The VAT treatment of a line or of a document-level allowance/charge. */
export interface EInvoiceVat {
  category: VatCategory;
  /** Percent ("21", "10.5"). Required for S; 0 (or absent) for Z, E, AE, K, G; absent for O. */
  rate?: string;
  /** Why no VAT is charged (BT-120): required for E; defaulted for AE, K, G, O. */
  exemptionReason?: string;
  /** VATEX code (BT-121), e.g. "VATEX-EU-AE". */
  exemptionReasonCode?: string;
}

export interface EInvoiceLine {
  /** Line id (BT-126); "1", "2"... when absent. */
  id?: string;
  /** Item name (BT-153). */
  name: string;
  /** Item description (BT-154). */
  description?: string;
  /** Seller's item id (BT-155), e.g. a product id. */
  sellerItemId?: string;
  /** Invoiced quantity (BT-129); may be negative (a returned item on an invoice). */
  quantity: string;
  /** UN/ECE Recommendation 20 unit code (BT-130); "C62" (one) when absent. */
  unitCode?: string;
  /** Item net price (BT-146), never negative (BR-27). */
  unitPrice: string;
  /** Line discount in percent, carried as a line allowance (BG-27). */
  discountPercent?: string;
  /** Why the discount (BT-139); "Discount" when absent. */
  discountReason?: string;
  /**
   * The line net amount as issued (BT-131). When absent it is computed by the invoice rule
   * (quantity x price x (1 - discount/100), rounded once). When given, it is kept as is: a document
   * must show the figures that were issued.
   */
  netAmount?: string;
  vat: EInvoiceVat;
  /**
   * Invoice line period (BG-26): start (BT-134) and end (BT-135) dates, YYYY-MM-DD, at least one of them
   * (BR-CO-20), end not before start (BR-30). E.g. a recapitulative invoice's line: the day of its operation.
   */
  period?: EInvoicePeriod;
}

/** A period of dates, YYYY-MM-DD (BG-26 on a line). */
export interface EInvoicePeriod {
  start?: string;
  end?: string;
}

/** A document-level allowance (discount) or charge (BG-20 / BG-21). */
export interface EInvoiceAllowanceCharge {
  /** true: a charge added to the net; false: an allowance taken off it. */
  charge: boolean;
  /** The amount (BT-92 / BT-99)... */
  amount?: string;
  /** ...or a percentage (BT-94 / BT-101) of `baseAmount` (BT-93 / BT-100), which defaults to the net of the lines in the same VAT category and rate. */
  percent?: string;
  baseAmount?: string;
  /** Reason text (BT-97 / BT-104) or code (BT-98 / BT-105, UNTDID 5189 / 7161): at least one is needed. */
  reason?: string;
  reasonCode?: string;
  vat: EInvoiceVat;
}

/**
 * A withholding tax such as Spain's IRPF (retención). EN 16931 has no element for it; see compute.ts for
 * how it is carried (a paid amount, BT-113, and a note) and why.
 */
export interface EInvoiceWithholding {
  /** What it is called on the document, e.g. "IRPF". */
  label: string;
  rate: string;
  base: string;
  amount: string;
}

export interface EInvoicePaymentMeans {
  /** UNTDID 4461 (BT-81): "58" SEPA credit transfer (default with an IBAN), "30" credit transfer, "31" debit transfer... */
  code?: string;
  /** Payment account (BT-84): an IBAN for SEPA. */
  iban?: string;
  /** Payment service provider (BT-86): BIC. */
  bic?: string;
  /** Account name (BT-85). */
  accountName?: string;
  /** Remittance information (BT-83); the invoice number when absent. */
  reference?: string;
}

export interface EInvoiceInput {
  kind: EInvoiceKind;
  /** Invoice number (BT-1). */
  number: string;
  /** YYYY-MM-DD (BT-2). */
  issueDate: string;
  /** YYYY-MM-DD (BT-9). */
  dueDate?: string;
  /** Actual delivery / operation date, YYYY-MM-DD (BT-72); required with category K. */
  operationDate?: string;
  /** ISO 4217 (BT-5); at most 2 minor digits (EN 16931 amounts have at most 2 decimals). */
  currency: string;
  /** Buyer reference (BT-10). */
  buyerReference?: string;
  /** Purchase order reference (BT-13). */
  orderReference?: string;
  /** Free-text notes (BT-22). */
  notes?: string[];
  /** Payment terms text (BT-20). */
  paymentTerms?: string;
  paymentMeans?: EInvoicePaymentMeans;
  seller: EInvoiceParty;
  buyer: EInvoiceParty;
  /** Deliver-to country (BT-80); the buyer's country when absent. Needed for category K. */
  deliveryCountry?: string;
  lines: EInvoiceLine[];
  allowancesCharges?: EInvoiceAllowanceCharge[];
  withholdings?: EInvoiceWithholding[];
  /** Preceding invoices this document corrects (BT-25 number, BT-26 issue date), e.g. of a credit note. */
  precedingInvoices?: { number: string; issueDate?: string }[];
  /** Supporting documents (BG-24), e.g. the register's QR validation URL as a separate field. */
  supportingDocuments?: EInvoiceSupportingDocument[];
}

/** BG-24: a reference (BT-122), what it is (BT-123) and where it is (BT-124). */
export interface EInvoiceSupportingDocument {
  id: string;
  description?: string;
  uri?: string;
}

// ---------------------------------------------------------------------------------------------------
// The computed document: every figure the XML shows, already rounded and formatted.

export interface ComputedVat {
  category: VatCategory;
  /** Normalized percent ("21", "10.5", "0"); null for O (no rate is written). */
  rate: string | null;
}

export interface ComputedLine {
  id: string;
  name: string;
  description?: string;
  sellerItemId?: string;
  quantity: string;
  unitCode: string;
  unitPrice: string;
  /** quantity x price, rounded (the base of the line discount). Present when there is a discount. */
  grossAmount?: string;
  /** grossAmount - netAmount (BT-136), with its percent (BT-138) and reason (BT-139). */
  discount?: { amount: string; percent: string; reason: string };
  netAmount: string;
  vat: ComputedVat;
  /** BG-26, as given (at least a start or an end). */
  period?: EInvoicePeriod;
}

export interface ComputedAllowanceCharge {
  charge: boolean;
  amount: string;
  percent?: string;
  baseAmount?: string;
  reason?: string;
  reasonCode?: string;
  vat: ComputedVat;
}

/** One VAT breakdown row (BG-23) per category and rate. */
export interface VatBreakdownRow extends ComputedVat {
  taxableAmount: string; // BT-116
  taxAmount: string; // BT-117
  exemptionReason?: string; // BT-120
  exemptionReasonCode?: string; // BT-121
}

export interface ComputedTotals {
  lineNet: string; // BT-106
  allowances: string; // BT-107
  charges: string; // BT-108
  taxExclusive: string; // BT-109
  tax: string; // BT-110
  taxInclusive: string; // BT-112
  /** Sum of the withholdings (IRPF...): carried as the paid amount BT-113. */
  withholding: string;
  prepaid: string; // BT-113
  payable: string; // BT-115
}

/** The header terms the computed document takes from the input as they are. */
type HeaderTerms = Pick<
  EInvoiceInput,
  | 'kind'
  | 'number'
  | 'issueDate'
  | 'dueDate'
  | 'operationDate'
  | 'currency'
  | 'buyerReference'
  | 'orderReference'
  | 'paymentTerms'
  | 'seller'
  | 'buyer'
  | 'deliveryCountry'
>;

export interface ComputedEInvoice extends HeaderTerms {
  /** The input's notes, then one per withholding. */
  notes: string[];
  paymentMeans?: EInvoicePaymentMeans & { code: string };
  lines: ComputedLine[];
  allowancesCharges: ComputedAllowanceCharge[];
  vatBreakdown: VatBreakdownRow[];
  withholdings: EInvoiceWithholding[];
  precedingInvoices: { number: string; issueDate?: string }[];
  supportingDocuments: EInvoiceSupportingDocument[];
  totals: ComputedTotals;
}
