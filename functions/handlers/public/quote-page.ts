/**
 * The client's page of a quote (GET /p/{token} of a quote's link) and its acceptance
 * (POST /p/{token}/accept). No API key: the link's token is the credential.
 *
 * The page is plain server-rendered HTML (templates/public/quote-page.ts) with inline CSS and one small inline
 * script (templates/public/styles.ts), allowed by a per-response nonce in a strict Content-Security-Policy; nothing is loaded from anywhere). The accept form
 * works without JavaScript: the typed full name is then the signature. With JavaScript, a canvas lets the
 * client draw a signature too, which the script puts in a hidden field as a PNG data URL.
 *
 * links.ts serves GET /p/{token} and hands a quote's link to renderQuotePage; it also serves these routes.
 */
import * as z from 'zod';
import { quotePageTemplate, type QuotePageState } from '../../../templates/public/quote-page';
import { Automation } from '../../domain/delivery';
import { LocaleFormat, Printing, Settings, Texts, type PublicLinkRecord } from '../../domain/documents';
import { Conflict, NotFound, RuleViolation, today } from '../../domain/kernel';
import { Quote, QuoteAcceptance, type AcceptancePorts } from '../../domain/sales';
import { RawResponse, route, type RequestContext } from '../../shared/http/route';
import { logger } from '../../shared/logger';
import { delivery } from '../../shared/wiring/automation';
import { documents as documentsRepo } from '../../shared/wiring/documents';
import { sales } from '../../shared/wiring/sales';
import { storage } from '../../shared/wiring/storage';
import { tenants } from '../../shared/wiring/tenancy';
import { esc, htmlPage, notAvailable, pageUrl, usableLink } from './page';

const { MAX_SIGNATURE_BYTES, SIGNER_NAME_MAX } = QuoteAcceptance;

const daysUntil = (date: string) => Math.round((Date.parse(`${date}T00:00:00Z`) - Date.parse(`${today()}T00:00:00Z`)) / 86_400_000);

const quotePageHtml = quotePageTemplate({ ...LocaleFormat, esc, pageUrl, translator: Texts.translator, daysUntil, signerNameMax: SIGNER_NAME_MAX });

/**
 * Whether someone at the seller's is really told of an acceptance: an enabled quote rule notifies the
 * responsible user, and there is an address (the quote's responsible user's, or the tenant's notifyEmail).
 * The accepted page only says "has been notified" when this holds.
 */
async function sellerNotified(quote: Quote.Info, settings: { notifyEmail?: unknown } | undefined): Promise<boolean> {
  if (!Automation.notifiesOnAcceptance(await delivery().rules.list(quote.tenantId))) return false;
  if (typeof settings?.notifyEmail === 'string' && settings.notifyEmail) return true;
  return Boolean(quote.responsibleUserId && (await tenants().userEmail(quote.tenantId, quote.responsibleUserId)));
}

/** A refused acceptance as the notice the page shows (a catalogue key of quotePage). */
function noticeOf(error: Conflict): NonNullable<QuotePageState['notice']> {
  const status = error.extra.quoteStatus;
  if (status === 'accepted') return 'alreadyAcceptedText';
  if (status === 'expired') return 'expiredTitle';
  if (status === 'declined') return 'declinedTitle';
  return 'changedText';
}

const PDF_LINK_TTL_SECONDS = 3600;

const acceptancePorts = (): AcceptancePorts => ({
  quotes: sales().quotes,
  documents: documentsRepo().documents,
  storage: storage(),
  commitAcceptance: sales().commitAcceptance,
});

/** How the page is reached: by the client's token, or by the staff's preview id (no form, nothing recorded). */
export type PageAccess = { token: string } | { preview: true };

/** The quote of a link and its tenant, or null when the quote's links have expired (validUntil + the tenant's grace). */
async function openQuote(link: PublicLinkRecord) {
  const [quote, tenant] = await Promise.all([sales().quotes.get(link.tenantId, link.subjectId), tenants().getTenant(link.tenantId)]);
  if (!quote || quote.status === 'draft') return null;
  if (Quote.linkExpired(quote, today(), Settings.quoteLinkGraceDays(tenant?.settings))) return null;
  return { quote, tenant };
}

type Tenant = Awaited<ReturnType<ReturnType<typeof tenants>['getTenant']>>;

/** What the page shows; the quote's documents are read once (the shown one, and whether one is being rendered). */
async function pageState(
  link: PublicLinkRecord,
  quote: Quote.Info,
  tenant: Tenant,
  access: PageAccess,
  extra: Partial<QuotePageState> = {},
): Promise<QuotePageState> {
  const documents = await documentsRepo().documents.listForSubject(quote.tenantId, quote.id);
  const model = Printing.quoteDocumentModel(quote, { name: tenant?.name ?? '', settings: tenant?.settings });
  const document = QuoteAcceptance.shownDocumentAmong(documents, quote, link.documentId);
  const pdfUrl = document
    ? await storage().presignGet(document.s3Key, {
        contentType: 'application/pdf',
        downloadName: `${quote.number ?? quote.id}.pdf`,
        expiresInSeconds: PDF_LINK_TTL_SECONDS,
      })
    : null;
  const pdfPending = !document && documents.some((d) => d.subjectType === 'quote' && d.status === 'pending');
  const preview = 'preview' in access;
  const status = Quote.effectiveStatus(quote, today());
  const notified = status === 'accepted' ? await sellerNotified(quote, tenant?.settings as { notifyEmail?: unknown } | undefined) : false;
  return { quote, model, status, token: preview ? null : access.token, preview, document, pdfUrl, pdfPending, sellerNotified: notified, ...extra };
}

const htmlResponse = (status: number, state: QuotePageState): RawResponse => htmlPage(status, (nonce) => quotePageHtml(state, nonce));

/**
 * GET /p/{token} of a quote: the page (the view is recorded: document.viewed via 'link', subject the quote).
 * GET /p/preview/{id}: the same page for the staff, without the form; nothing is recorded.
 */
export async function renderQuotePage(link: PublicLinkRecord, ctx: RequestContext<unknown, unknown>, access: PageAccess): Promise<RawResponse> {
  const open = await openQuote(link);
  if (!open) return notAvailable();
  if (!('preview' in access)) {
    try {
      await documentsRepo().links.recordView(link, 'link', { ip: ctx.sourceIp, userAgent: ctx.userAgent });
    } catch (error) {
      // a lost view count must not cost the client the page
      logger.warn('could not record a view of a quote page', { quoteId: open.quote.id, error: error as Error });
    }
  }
  return htmlResponse(200, await pageState(link, open.quote, open.tenant, access));
}

const isForm = (contentType: string | undefined) => /^application\/x-www-form-urlencoded/i.test(contentType ?? '');

/** A JSON client's acceptance; a form's fields arrive as strings (the HTTP layer parses urlencoded bodies of public routes). */
const AcceptBody = z.object({
  signerName: z.string().max(2000).optional(),
  signature: z
    .string()
    .max(Math.ceil(MAX_SIGNATURE_BYTES / 3) * 4 + 64)
    .optional(),
  consent: z.union([z.boolean(), z.string().max(10)]).optional(),
  documentId: z.string().max(64).optional(),
});

const Accepted = z.object({
  status: z.literal('accepted'),
  quoteId: z.string(),
  number: z.string().nullable(),
  acceptedAt: z.string(),
  signerName: z.string(),
  method: z.enum(['drawn', 'typed']),
  documentSha256: z.string().nullable(),
});

export const routes = {
  'POST /p/{token}/accept': route({
    summary:
      'The client accepts the quote of a public link: full name, optional drawn signature (PNG data URL), consent. ' +
      'A form post (urlencoded) answers with a redirect (303) to the page showing the accepted state, or the page with what is wrong; ' +
      'JSON { signerName, signature?, consent? } answers JSON (the call is the consent unless consent is false). 409 when expired, declined or already accepted.',
    permission: 'public',
    body: AcceptBody,
    response: Accepted,
    maxBodyBytes: 512 * 1024,
    errors: [404, 409, 422],
    handler: async (ctx) => {
      const form = isForm(ctx.headers['content-type']);
      const token = ctx.params.token!;
      const found = await usableLink(token);
      const link = found?.subjectType === 'quote' && (await openQuote(found)) ? found : null;
      if (!link) {
        if (form) return notAvailable();
        throw new NotFound('quote');
      }
      const body = (ctx.body ?? {}) as z.infer<typeof AcceptBody>;
      // the form must tick its box; a JSON client's call is its consent (the contract: { signerName, signature? }),
      // unless it says `consent: false`
      const input = form ? body : { ...body, consent: body.consent ?? true };
      try {
        const quote = await QuoteAcceptance.accept(acceptancePorts(), {
          tenantId: link.tenantId,
          id: link.subjectId,
          input,
          ip: ctx.sourceIp,
          userAgent: ctx.userAgent,
          linkDocumentId: link.documentId,
        });
        if (form)
          return new RawResponse({
            statusCode: 303,
            headers: { location: pageUrl(token), 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' },
          });
        const a = quote.acceptance!;
        return {
          status: 'accepted',
          quoteId: quote.id,
          number: quote.number ?? null,
          acceptedAt: quote.acceptedAt!,
          signerName: a.signerName,
          method: a.method,
          documentSha256: a.documentSha256,
        };
      } catch (error) {
        if (!form) throw error;
        if (error instanceof NotFound) return notAvailable();
        if (!(error instanceof RuleViolation) && !(error instanceof Conflict)) throw error;
        const [quote, tenant] = await Promise.all([sales().quotes.get(link.tenantId, link.subjectId), tenants().getTenant(link.tenantId)]);
        if (!quote) return notAvailable();
        const status = error instanceof RuleViolation ? 422 : 409;
        const state = await pageState(
          link,
          quote,
          tenant,
          { token },
          error instanceof RuleViolation
            ? { errors: error.errors, signerName: typeof input.signerName === 'string' ? input.signerName.slice(0, SIGNER_NAME_MAX) : '' }
            : { notice: noticeOf(error) },
        );
        return htmlResponse(status, state);
      }
    },
  }),
};
