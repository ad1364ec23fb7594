/**
 * Documents: what a tenant's invoices and quotes look like on paper and how they are reached. The document
 * records (PDF renders) and their public links, the print model a template sees (and how an invoice or a
 * quote becomes one), templates, locale formatting of printed values, and the tenant's settings that
 * documents print (seller details, locale, colours, images; also sender details and the default currency).
 * Imports the kernel and clients only: invoices and quotes are printed through structural types.
 *
 *   Document.prepare / view / key      PublicLink.newToken / idOf / usable / publicUrl / previewUrl   EmailOpens.classify
 *   Template.view / sourceKey / isBuiltin        Settings.documentSettingsOf / applySettings / defaultCurrency ...
 *   PrintModel.sampleDocumentModel / normalizeDocumentModel / documentLocale
 *   Printing.invoiceDocumentModel / quoteDocumentModel / previewDocumentModel / templateFits ...
 *   LocaleFormat.formatMoney / formatNumber / formatPercent / formatDate / intlLocale
 *   Texts.text / translator / label / clientLocale / fillTenantText   (the catalogues of templates/i18n/)
 *
 * Still to land beside it (docs/architecture.md): e-invoices (EN 16931 UBL/CII, Factur-X) in einvoicing/.
 */
export * as Document from './document';
export * as PublicLink from './public-link';
export * as EmailOpens from './email-opens';
export * as Template from './template';
export * as PrintModel from './print-model';
export * as Printing from './print-mapping';
export * as LocaleFormat from './locale-format';
export * as Settings from './settings';
export * as Texts from './texts';
export * as AmountInWords from './amount-in-words';
export type { DocumentRecord } from './document';
export type { PublicLink as PublicLinkRecord } from './public-link';
export type { TemplateKind, TemplateRecord } from './template';
export { BUILTIN_TEMPLATE_ID, TEMPLATE_KINDS } from './template';
export type {
  DocumentAddress,
  DocumentClient,
  DocumentImages,
  DocumentKind,
  DocumentLine,
  DocumentLocale,
  DocumentModel,
  DocumentRegister,
  DocumentSeller,
  DocumentTotals,
  NormalizedDocumentModel,
} from './print-model';
export { DocumentDataError, type PrintableInvoice, type PrintableQuote, type TenantForDocuments } from './print-mapping';
export type { DecodedImage, DocumentSettings, ImageContentType, ImageName, SellerDetails, SettingsInput, StoredImage } from './settings';
