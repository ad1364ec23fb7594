/**
 * EN 16931 in OASIS UBL 2.1: an `Invoice` (type code 380) or a `CreditNote` (381), following the CEN
 * syntax binding (CustomizationID urn:cen.eu:en16931:2017). Element order is the UBL 2.1 schema's.
 */
import type { ComputedAllowanceCharge, ComputedEInvoice, ComputedLine, ComputedVat, EInvoiceParty } from './model';
import { withAttrs, writeXml, type XmlElement } from './xml';

export const EN16931_CUSTOMIZATION_ID = 'urn:cen.eu:en16931:2017';

const NS = {
  invoice: 'urn:oasis:names:specification:ubl:schema:xsd:Invoice-2',
  credit_note: 'urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2',
  cac: 'urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2',
  cbc: 'urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2',
};

const VAT_SCHEME = { 'cbc:ID': 'VAT' };

function party(p: EInvoiceParty): XmlElement {
  return {
    'cac:Party': {
      'cac:PartyName': p.tradingName ? { 'cbc:Name': p.tradingName } : undefined,
      'cac:PostalAddress': {
        'cbc:StreetName': p.address.line1,
        'cbc:AdditionalStreetName': p.address.line2,
        'cbc:CityName': p.address.city,
        'cbc:PostalZone': p.address.postalCode,
        'cbc:CountrySubentity': p.address.region,
        'cac:Country': { 'cbc:IdentificationCode': p.address.country },
      },
      'cac:PartyTaxScheme': p.vatId ? { 'cbc:CompanyID': p.vatId, 'cac:TaxScheme': VAT_SCHEME } : undefined,
      'cac:PartyLegalEntity': {
        'cbc:RegistrationName': p.name,
        'cbc:CompanyID': p.legalId,
        'cbc:CompanyLegalForm': p.legalForm,
      },
      'cac:Contact': { 'cbc:Name': p.contactName, 'cbc:Telephone': p.phone, 'cbc:ElectronicMail': p.email },
    },
  };
}

/** cac:TaxCategory / cac:ClassifiedTaxCategory content: O carries no rate (BR-O-05, BR-O-?-rate rules). */
function category(vat: ComputedVat, extra: XmlElement = {}): XmlElement {
  return { 'cbc:ID': vat.category, 'cbc:Percent': vat.rate ?? undefined, ...extra, 'cac:TaxScheme': VAT_SCHEME };
}

function allowanceCharge(ac: ComputedAllowanceCharge, currency: string): XmlElement {
  return {
    'cbc:ChargeIndicator': ac.charge ? 'true' : 'false',
    'cbc:AllowanceChargeReasonCode': ac.reasonCode,
    'cbc:AllowanceChargeReason': ac.reason,
    'cbc:MultiplierFactorNumeric': ac.percent,
    'cbc:Amount': withAttrs(ac.amount, { currencyID: currency }),
    'cbc:BaseAmount': withAttrs(ac.baseAmount, { currencyID: currency }),
    'cac:TaxCategory': category(ac.vat),
  };
}

function invoiceLine(l: ComputedLine, doc: ComputedEInvoice): XmlElement {
  const currency = doc.currency;
  return {
    'cbc:ID': l.id,
    [doc.kind === 'invoice' ? 'cbc:InvoicedQuantity' : 'cbc:CreditedQuantity']: withAttrs(l.quantity, { unitCode: l.unitCode }),
    'cbc:LineExtensionAmount': withAttrs(l.netAmount, { currencyID: currency }),
    // BG-26, after cbc:AccountingCost and before cac:AllowanceCharge (UBL 2.1 InvoiceLine / CreditNoteLine order)
    'cac:InvoicePeriod': l.period ? { 'cbc:StartDate': l.period.start, 'cbc:EndDate': l.period.end } : undefined,
    'cac:AllowanceCharge': l.discount
      ? {
          'cbc:ChargeIndicator': 'false',
          'cbc:AllowanceChargeReason': l.discount.reason,
          'cbc:MultiplierFactorNumeric': l.discount.percent,
          'cbc:Amount': withAttrs(l.discount.amount, { currencyID: currency }),
          'cbc:BaseAmount': withAttrs(l.grossAmount, { currencyID: currency }),
        }
      : undefined,
    'cac:Item': {
      'cbc:Description': l.description,
      'cbc:Name': l.name,
      'cac:SellersItemIdentification': l.sellerItemId ? { 'cbc:ID': l.sellerItemId } : undefined,
      'cac:ClassifiedTaxCategory': category(l.vat),
    },
    'cac:Price': { 'cbc:PriceAmount': withAttrs(l.unitPrice, { currencyID: currency }) },
  };
}

/** The UBL 2.1 XML of a computed e-invoice. */
export function toUbl(doc: ComputedEInvoice): string {
  const isInvoice = doc.kind === 'invoice';
  const currency = doc.currency;
  const money = (value: string | undefined) => withAttrs(value, { currencyID: currency });
  const t = doc.totals;
  const paymentMeans = doc.paymentMeans
    ? {
        'cbc:PaymentMeansCode': doc.paymentMeans.code,
        // a credit note has no cbc:DueDate: BT-9 goes here (CEN UBL binding)
        'cbc:PaymentDueDate': isInvoice ? undefined : doc.dueDate,
        'cbc:PaymentID': doc.paymentMeans.reference,
        'cac:PayeeFinancialAccount': doc.paymentMeans.iban
          ? {
              'cbc:ID': doc.paymentMeans.iban,
              'cbc:Name': doc.paymentMeans.accountName,
              'cac:FinancialInstitutionBranch': doc.paymentMeans.bic ? { 'cbc:ID': doc.paymentMeans.bic } : undefined,
            }
          : undefined,
      }
    : undefined;

  const body: XmlElement = {
    '@xmlns': isInvoice ? NS.invoice : NS.credit_note,
    '@xmlns:cac': NS.cac,
    '@xmlns:cbc': NS.cbc,
    'cbc:CustomizationID': EN16931_CUSTOMIZATION_ID,
    'cbc:ID': doc.number,
    'cbc:IssueDate': doc.issueDate,
    'cbc:DueDate': isInvoice ? doc.dueDate : undefined,
    [isInvoice ? 'cbc:InvoiceTypeCode' : 'cbc:CreditNoteTypeCode']: isInvoice ? '380' : '381',
    'cbc:Note': doc.notes,
    'cbc:DocumentCurrencyCode': currency,
    'cbc:BuyerReference': doc.buyerReference,
    'cac:OrderReference': doc.orderReference ? { 'cbc:ID': doc.orderReference } : undefined,
    'cac:BillingReference': doc.precedingInvoices.map((p) => ({
      'cac:InvoiceDocumentReference': { 'cbc:ID': p.number, 'cbc:IssueDate': p.issueDate },
    })),
    'cac:AdditionalDocumentReference': doc.supportingDocuments.map((d) => ({
      'cbc:ID': d.id,
      'cbc:DocumentDescription': d.description,
      'cac:Attachment': d.uri ? { 'cac:ExternalReference': { 'cbc:URI': d.uri } } : undefined,
    })),
    'cac:AccountingSupplierParty': party(doc.seller),
    'cac:AccountingCustomerParty': party(doc.buyer),
    'cac:Delivery':
      doc.operationDate || doc.deliveryCountry
        ? {
            'cbc:ActualDeliveryDate': doc.operationDate,
            'cac:DeliveryLocation': doc.deliveryCountry ? { 'cac:Address': { 'cac:Country': { 'cbc:IdentificationCode': doc.deliveryCountry } } } : undefined,
          }
        : undefined,
    'cac:PaymentMeans': paymentMeans,
    'cac:PaymentTerms': doc.paymentTerms ? { 'cbc:Note': doc.paymentTerms } : undefined,
    'cac:AllowanceCharge': doc.allowancesCharges.map((ac) => allowanceCharge(ac, currency)),
    'cac:TaxTotal': {
      'cbc:TaxAmount': money(t.tax),
      'cac:TaxSubtotal': doc.vatBreakdown.map((row) => ({
        'cbc:TaxableAmount': money(row.taxableAmount),
        'cbc:TaxAmount': money(row.taxAmount),
        'cac:TaxCategory': category(row, {
          'cbc:TaxExemptionReasonCode': row.exemptionReasonCode,
          'cbc:TaxExemptionReason': row.exemptionReason,
        }),
      })),
    },
    'cac:LegalMonetaryTotal': {
      'cbc:LineExtensionAmount': money(t.lineNet),
      'cbc:TaxExclusiveAmount': money(t.taxExclusive),
      'cbc:TaxInclusiveAmount': money(t.taxInclusive),
      'cbc:AllowanceTotalAmount': doc.allowancesCharges.some((a) => !a.charge) ? money(t.allowances) : undefined,
      'cbc:ChargeTotalAmount': doc.allowancesCharges.some((a) => a.charge) ? money(t.charges) : undefined,
      'cbc:PrepaidAmount': doc.withholdings.length > 0 ? money(t.prepaid) : undefined,
      'cbc:PayableAmount': money(t.payable),
    },
    [isInvoice ? 'cac:InvoiceLine' : 'cac:CreditNoteLine']: doc.lines.map((l) => invoiceLine(l, doc)),
  };
  return writeXml(isInvoice ? 'Invoice' : 'CreditNote', body);
}
