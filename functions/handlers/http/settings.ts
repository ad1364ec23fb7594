import { Settings, type ImageName, type StoredImage } from '../../domain/documents';
import { StripeSettings } from '../../domain/payments';
import { assertValidTaxId, NotFound, staleVersion } from '../../domain/kernel';
import { Register } from '../../domain/register';
import type { TenantRecord } from '../../domain/tenancy';
import { config } from '../../shared/config';
import { httpApi } from '../../shared/http/api';
import { route } from '../../shared/http/route';
import { httpDeps } from '../../shared/wiring/http';
import { secretCipher } from '../../shared/wiring/secrets';
import { storage } from '../../shared/wiring/storage';
import { tenants } from '../../shared/wiring/tenancy';

const { applySettings, decodeUploads, documentSettingsOf, IMAGE_NAMES, imageKey } = Settings;
import { SettingsBody, SettingsView } from './schemas/settings';

/** Three images of at most 512 KB each, in base64, plus the rest. */
const MAX_BODY_BYTES = 2_200 * 1024;

/** Where this tenant's Stripe account sends its events (the API's public base, as the public links use it). */
const stripeWebhookEndpoint = (tenantId: string) => `${config().PUBLIC_BASE_URL.replace(/\/$/, '')}/webhooks/stripe?tenant=${encodeURIComponent(tenantId)}`;

async function view(tenant: TenantRecord) {
  const s = documentSettingsOf(tenant.settings);
  const images = Object.fromEntries(
    await Promise.all(
      IMAGE_NAMES.map(async (name) => {
        const image = s.images?.[name];
        if (!image) return [name, null] as const;
        const url = await storage().presignGet(image.key, { contentType: image.contentType });
        return [name, { contentType: image.contentType, size: image.size, sha256: image.sha256, url }] as const;
      }),
    ),
  );
  return {
    tenantName: tenant.name,
    locale: s.locale,
    name: s.name ?? null,
    legalName: s.legalName ?? null,
    legalForm: s.legalForm ?? null,
    taxId: s.taxId ?? null,
    address: s.address ?? null,
    email: s.email ?? null,
    phone: s.phone ?? null,
    bankAccount: s.bankAccount ?? null,
    senderName: s.senderName ?? null,
    replyTo: s.replyTo ?? null,
    notifyEmail: s.notifyEmail ?? null,
    smsSenderId: s.smsSenderId ?? null,
    brandColor: s.brandColor ?? null,
    defaultCurrency: s.defaultCurrency ?? null,
    paymentTerms: s.paymentTerms ?? null,
    timeZone: s.timeZone ?? null,
    quoteLinkGraceDays: Settings.quoteLinkGraceDays(s),
    sendingLimits: Settings.sendingLimits(s),
    simplifiedInvoiceLimit: Settings.simplifiedInvoiceLimit(s),
    accounting: s.accounting ?? null,
    images,
    payments: { stripe: { ...StripeSettings.stripeKeysView(tenant.settings), webhookEndpoint: stripeWebhookEndpoint(tenant.tenantId) } },
    verifactu: Register.settingsOf(tenant.settings),
    version: tenant.version,
    updatedAt: tenant.updatedAt,
  };
}

async function currentTenant(tenantId: string): Promise<TenantRecord> {
  const tenant = await tenants().getTenant(tenantId);
  if (!tenant) throw new NotFound('tenant');
  return tenant;
}

export const routes = {
  'GET /v1/settings': route({
    summary: "The tenant's settings: seller details on documents, locale, sender, colours and images",
    permission: 'settings:read',
    response: SettingsView,
    handler: async ({ caller }) => view(await currentTenant(caller.tenantId)),
  }),
  'PUT /v1/settings': route({
    summary:
      'Replace the settings (If-Match or version for optimistic concurrency). Images: absent keeps, null removes, { data: base64 PNG/JPEG <= 512 KB } replaces',
    permission: 'settings:write',
    body: SettingsBody,
    response: SettingsView,
    maxBodyBytes: MAX_BODY_BYTES,
    errors: [409, 413, 422],
    handler: async ({ caller, body, ifMatch }) => {
      const tenant = await currentTenant(caller.tenantId);
      const { version, verifactu, payments, ...input } = body;
      const expected = ifMatch ?? version ?? tenant.version;
      if (expected !== tenant.version) throw staleVersion(expected, tenant.version);
      assertValidTaxId(input.taxId, input.address?.country);
      const register = verifactu && Register.checkSettings(verifactu, input.taxId);
      const uploads = decodeUploads(input);
      // Images first: a key per content, so a write that loses the version check leaves only unused objects.
      const uploaded: { name: ImageName; image: StoredImage }[] = await Promise.all(
        uploads.map(async (u) => {
          const key = imageKey(caller.tenantId, u);
          await storage().put(key, u.bytes, u.contentType, { sha256: u.sha256 });
          return { name: u.name, image: { key, contentType: u.contentType, size: u.bytes.byteLength, sha256: u.sha256 } };
        }),
      );
      // Stripe keys are sealed before anything is written (a bad key: 422 naming payments.stripe.secretKey)
      const keys = payments?.stripe;
      const written =
        keys?.secretKey !== undefined && keys.webhookSecret !== undefined ? { secretKey: keys.secretKey, webhookSecret: keys.webhookSecret } : undefined;
      const stripe = written ? await StripeSettings.sealStripeKeys(secretCipher(), caller.tenantId, written) : keys === null ? null : undefined;
      const next = StripeSettings.withStripeKeys(applySettings(tenant.settings as Record<string, unknown>, input, uploaded), stripe);
      if (register) next.verifactu = register;
      return view(await tenants().saveTenantSettings(caller.tenantId, next, expected));
    },
  }),
};

export const handler = httpApi(routes, httpDeps);
