/**
 * EN 16931 in UN/CEFACT Cross Industry Invoice D16B (the syntax Factur-X / ZUGFeRD embed), following the
 * CEN syntax binding (guideline urn:cen.eu:en16931:2017, which is also Factur-X's EN 16931 profile).
 * Element order is the D16B schema's. Amounts carry no currency except the VAT total (BT-110).
 */
import { EN16931_CUSTOMIZATION_ID } from './ubl';
import type { ComputedAllowanceCharge, ComputedEInvoice, ComputedLine, ComputedVat, EInvoiceParty } from './model';
import { date102, KEEP_EMPTY, withAttrs, writeXml, type XmlElement } from './xml';

const NS = {
  rsm: 'urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100',
  ram: 'urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100',
  qdt: 'urn:un:unece:uncefact:data:standard:QualifiedDataType:100',
  udt: 'urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100',
};

const dateTime = (isoDate: string | undefined) => (isoDate ? { 'udt:DateTimeString': withAttrs(date102(isoDate), { format: '102' }) } : undefined);
const indicator = (value: boolean) => ({ 'udt:Indicator': value ? 'true' : 'false' });

function tradeParty(p: EInvoiceParty): XmlElement {
  const contact = p.contactName || p.phone || p.email;
  return {
    'ram:Name': p.name,
    'ram:Description': p.legalForm,
    'ram:SpecifiedLegalOrganization': p.legalId || p.tradingName ? { 'ram:ID': p.legalId, 'ram:TradingBusinessName': p.tradingName } : undefined,
    'ram:DefinedTradeContact': contact
      ? {
          'ram:PersonName': p.contactName,
          'ram:TelephoneUniversalCommunication': p.phone ? { 'ram:CompleteNumber': p.phone } : undefined,
          'ram:EmailURIUniversalCommunication': p.email ? { 'ram:URIID': p.email } : undefined,
        }
      : undefined,
    'ram:PostalTradeAddress': {
      'ram:PostcodeCode': p.address.postalCode,
      'ram:LineOne': p.address.line1,
      'ram:LineTwo': p.address.line2,
      'ram:CityName': p.address.city,
      'ram:CountryID': p.address.country,
      'ram:CountrySubDivisionName': p.address.region,
    },
    'ram:SpecifiedTaxRegistration': p.vatId ? { 'ram:ID': withAttrs(p.vatId, { schemeID: 'VA' }) } : undefined,
  };
}

/** A line's or an allowance's VAT: O carries no rate. */
function tradeTax(vat: ComputedVat): XmlElement {
  return { 'ram:TypeCode': 'VAT', 'ram:CategoryCode': vat.category, 'ram:RateApplicablePercent': vat.rate ?? undefined };
}

function allowanceCharge(ac: ComputedAllowanceCharge): XmlElement {
  return {
    'ram:ChargeIndicator': indicator(ac.charge),
    'ram:CalculationPercent': ac.percent,
    'ram:BasisAmount': ac.baseAmount,
    'ram:ActualAmount': ac.amount,
    'ram:ReasonCode': ac.reasonCode,
    'ram:Reason': ac.reason,
    'ram:CategoryTradeTax': tradeTax(ac.vat),
  };
}

function lineItem(l: ComputedLine): XmlElement {
  return {
    'ram:AssociatedDocumentLineDocument': { 'ram:LineID': l.id },
    'ram:SpecifiedTradeProduct': { 'ram:SellerAssignedID': l.sellerItemId, 'ram:Name': l.name, 'ram:Description': l.description },
    'ram:SpecifiedLineTradeAgreement': { 'ram:NetPriceProductTradePrice': { 'ram:ChargeAmount': l.unitPrice } },
    'ram:SpecifiedLineTradeDelivery': { 'ram:BilledQuantity': withAttrs(l.quantity, { unitCode: l.unitCode }) },
    'ram:SpecifiedLineTradeSettlement': {
      'ram:ApplicableTradeTax': tradeTax(l.vat),
      // BG-26, between the line's tax and its allowances (D16B order)
      'ram:BillingSpecifiedPeriod': l.period ? { 'ram:StartDateTime': dateTime(l.period.start), 'ram:EndDateTime': dateTime(l.period.end) } : undefined,
      'ram:SpecifiedTradeAllowanceCharge': l.discount
        ? {
            'ram:ChargeIndicator': indicator(false),
            'ram:CalculationPercent': l.discount.percent,
            'ram:BasisAmount': l.grossAmount,
            'ram:ActualAmount': l.discount.amount,
            'ram:Reason': l.discount.reason,
          }
        : undefined,
      'ram:SpecifiedTradeSettlementLineMonetarySummation': { 'ram:LineTotalAmount': l.netAmount },
    },
  };
}

/** The CII D16B XML of a computed e-invoice. */
export function toCii(doc: ComputedEInvoice): string {
  const t = doc.totals;
  const pm = doc.paymentMeans;
  const body: XmlElement = {
    '@xmlns:rsm': NS.rsm,
    '@xmlns:ram': NS.ram,
    '@xmlns:qdt': NS.qdt,
    '@xmlns:udt': NS.udt,
    'rsm:ExchangedDocumentContext': { 'ram:GuidelineSpecifiedDocumentContextParameter': { 'ram:ID': EN16931_CUSTOMIZATION_ID } },
    'rsm:ExchangedDocument': {
      'ram:ID': doc.number,
      'ram:TypeCode': doc.kind === 'invoice' ? '380' : '381',
      'ram:IssueDateTime': dateTime(doc.issueDate),
      'ram:IncludedNote': doc.notes.map((content) => ({ 'ram:Content': content })),
    },
    'rsm:SupplyChainTradeTransaction': {
      'ram:IncludedSupplyChainTradeLineItem': doc.lines.map(lineItem),
      'ram:ApplicableHeaderTradeAgreement': {
        'ram:BuyerReference': doc.buyerReference,
        'ram:SellerTradeParty': tradeParty(doc.seller),
        'ram:BuyerTradeParty': tradeParty(doc.buyer),
        'ram:BuyerOrderReferencedDocument': doc.orderReference ? { 'ram:IssuerAssignedID': doc.orderReference } : undefined,
        'ram:AdditionalReferencedDocument': doc.supportingDocuments.map((d) => ({
          'ram:IssuerAssignedID': d.id,
          'ram:URIID': d.uri,
          'ram:TypeCode': '916', // UNTDID 1001: related document (EN 16931 supporting document)
          'ram:Name': d.description,
        })),
      },
      // mandatory in CII, even empty
      'ram:ApplicableHeaderTradeDelivery': {
        ...KEEP_EMPTY,
        'ram:ShipToTradeParty': doc.deliveryCountry ? { 'ram:PostalTradeAddress': { 'ram:CountryID': doc.deliveryCountry } } : undefined,
        'ram:ActualDeliverySupplyChainEvent': doc.operationDate ? { 'ram:OccurrenceDateTime': dateTime(doc.operationDate) } : undefined,
      },
      'ram:ApplicableHeaderTradeSettlement': {
        'ram:PaymentReference': pm?.reference,
        'ram:InvoiceCurrencyCode': doc.currency,
        'ram:SpecifiedTradeSettlementPaymentMeans': pm
          ? {
              'ram:TypeCode': pm.code,
              'ram:PayeePartyCreditorFinancialAccount': pm.iban ? { 'ram:IBANID': pm.iban, 'ram:AccountName': pm.accountName } : undefined,
              'ram:PayeeSpecifiedCreditorFinancialInstitution': pm.bic ? { 'ram:BICID': pm.bic } : undefined,
            }
          : undefined,
        'ram:ApplicableTradeTax': doc.vatBreakdown.map((row) => ({
          'ram:CalculatedAmount': row.taxAmount,
          'ram:TypeCode': 'VAT',
          'ram:ExemptionReason': row.exemptionReason,
          'ram:BasisAmount': row.taxableAmount,
          'ram:CategoryCode': row.category,
          'ram:ExemptionReasonCode': row.exemptionReasonCode,
          'ram:RateApplicablePercent': row.rate ?? undefined,
        })),
        'ram:SpecifiedTradeAllowanceCharge': doc.allowancesCharges.map(allowanceCharge),
        'ram:SpecifiedTradePaymentTerms':
          doc.paymentTerms || doc.dueDate ? { 'ram:Description': doc.paymentTerms, 'ram:DueDateDateTime': dateTime(doc.dueDate) } : undefined,
        'ram:SpecifiedTradeSettlementHeaderMonetarySummation': {
          'ram:LineTotalAmount': t.lineNet,
          'ram:ChargeTotalAmount': doc.allowancesCharges.some((a) => a.charge) ? t.charges : undefined,
          'ram:AllowanceTotalAmount': doc.allowancesCharges.some((a) => !a.charge) ? t.allowances : undefined,
          'ram:TaxBasisTotalAmount': t.taxExclusive,
          'ram:TaxTotalAmount': withAttrs(t.tax, { currencyID: doc.currency }),
          'ram:GrandTotalAmount': t.taxInclusive,
          'ram:TotalPrepaidAmount': doc.withholdings.length > 0 ? t.prepaid : undefined,
          'ram:DuePayableAmount': t.payable,
        },
        'ram:InvoiceReferencedDocument': doc.precedingInvoices.map((p) => ({
          'ram:IssuerAssignedID': p.number,
          'ram:FormattedIssueDateTime': p.issueDate ? { 'qdt:DateTimeString': withAttrs(date102(p.issueDate), { format: '102' }) } : undefined,
        })),
      },
    },
  };
  return writeXml('rsm:CrossIndustryInvoice', body);
}
