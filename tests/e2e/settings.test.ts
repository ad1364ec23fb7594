/**
 * Tenant settings over the HTTP API on the local stack: defaults, a full replace with optimistic
 * concurrency, images uploaded as base64 (PNG/JPEG by their bytes, <= 512 KB, SVG refused) stored in
 * s3rver under a content key and handed out by presigned URL, kept / removed / replaced one by one,
 * admin-only writes, and each tenant seeing only its own.
 */
import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { aPng, download } from '../fixtures/documents';
import { apiClient, makeTenant, useLocalStack, type ApiClient, type TestTenant } from '../fixtures/stack';

const stack = useLocalStack();
let acme: TestTenant;
let api: ApiClient;

const SETTINGS = {
  name: 'Acme Cloud',
  legalName: 'Acme Cloud Services S.L.',
  legalForm: 'S.L.',
  taxId: 'ESB12345674',
  address: { line1: 'Calle de Alcalá 42', city: 'Madrid', postalCode: '28014', country: 'ES' },
  email: 'billing@acme.example',
  phone: '+34 910 000 000',
  bankAccount: { iban: 'ES9121000418450200051332', bic: 'CAIXESBBXXX', bankName: 'CaixaBank' },
  locale: 'es',
  senderName: 'Acme Facturación',
  replyTo: 'cuentas@acme.example',
  notifyEmail: 'ventas@acme.example',
  smsSenderId: 'AcmeCloud',
  brandColor: '#1f5fae',
  defaultCurrency: 'EUR',
  paymentTerms: 'Transferencia a 30 días',
};

const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0xff, 0xd9]);
const SVG = '<svg xmlns="http://www.w3.org/2000/svg" onload="fetch(\'https://evil.example\')"><image href="file:///etc/passwd"/></svg>';

beforeAll(async () => {
  acme = await makeTenant('Acme', { seller: false });
  api = apiClient(() => stack().apiUrl, acme.adminKey);
});

describe('settings', () => {
  it("starts from the tenant's defaults", async () => {
    const res = await api.get('/v1/settings');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      tenantName: 'Acme',
      locale: 'en',
      senderName: 'Acme',
      legalName: null,
      taxId: null,
      images: { logo: null, stamp: null, signature: null },
      version: 1,
    });
  });

  it('replaces the settings with If-Match, and refuses a stale version with 409', async () => {
    // Prepare
    const { version } = (await api.get('/v1/settings')).body;

    // Act
    const saved = await api.put('/v1/settings', SETTINGS, { 'if-match': String(version) });
    const stale = await api.put('/v1/settings', { ...SETTINGS, taxId: 'LATE' }, { 'if-match': String(version) });
    const read = await api.get('/v1/settings');

    // Assess
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    expect(saved.body).toMatchObject({ ...SETTINGS, version: version + 1 });
    expect(stale.status).toBe(409);
    expect(read.body).toMatchObject({ ...SETTINGS, version: version + 1 });
  });

  it('stores uploaded images under content keys, hands them out presigned, and keeps, removes or replaces them one by one', async () => {
    // Prepare
    const logo = aPng(200, 60);
    const signature = aPng(80, 40, [0, 0, 0]);

    // Act
    const uploaded = await api.put('/v1/settings', {
      ...SETTINGS,
      images: {
        logo: { data: logo.toString('base64') },
        stamp: { data: `data:image/jpeg;base64,${JPEG.toString('base64')}` },
        signature: { data: signature.toString('base64'), contentType: 'image/png' },
      },
    });
    const kept = await api.put('/v1/settings', { ...SETTINGS, locale: 'ro' });
    const changed = await api.put('/v1/settings', { ...SETTINGS, images: { stamp: null, logo: { data: signature.toString('base64') } } });

    // Assess
    expect(uploaded.status, JSON.stringify(uploaded.body)).toBe(200);
    expect(uploaded.body.images.logo).toMatchObject({
      contentType: 'image/png',
      size: logo.byteLength,
      sha256: createHash('sha256').update(logo).digest('hex'),
    });
    expect(uploaded.body.images.stamp).toMatchObject({ contentType: 'image/jpeg', size: JPEG.byteLength });
    expect(await download(uploaded.body.images.logo.url)).toEqual(logo);
    expect(new URL(uploaded.body.images.logo.url).pathname).toMatch(new RegExp(`/tenant/${acme.tenantId}/assets/logo-[0-9a-f]{8}\\.png$`));

    expect(kept.body.locale).toBe('ro');
    expect(kept.body.images.logo.sha256).toBe(uploaded.body.images.logo.sha256);
    expect(kept.body.images.stamp).not.toBeNull();

    expect(changed.body.images.stamp).toBeNull();
    expect(changed.body.images.logo.sha256).toBe(uploaded.body.images.signature.sha256);
    expect(changed.body.images.signature.sha256).toBe(uploaded.body.images.signature.sha256);
  });

  it('refuses SVG, non-images, mislabelled images and images over 512 KB with 422, storing nothing', async () => {
    // Prepare
    const before = (await api.get('/v1/settings')).body;
    const tooBig = Buffer.concat([aPng(), Buffer.alloc(520 * 1024)]);

    // Act
    const svg = await api.put('/v1/settings', { ...SETTINGS, images: { logo: { data: Buffer.from(SVG).toString('base64') } } });
    const svgType = await api.put('/v1/settings', { ...SETTINGS, images: { logo: { data: aPng().toString('base64'), contentType: 'image/svg+xml' } } });
    const text = await api.put('/v1/settings', { ...SETTINGS, images: { stamp: { data: Buffer.from('hello').toString('base64') } } });
    const mislabelled = await api.put('/v1/settings', { ...SETTINGS, images: { signature: { data: JPEG.toString('base64'), contentType: 'image/png' } } });
    const big = await api.put('/v1/settings', { ...SETTINGS, images: { logo: { data: tooBig.toString('base64') } } });

    // Assess
    expect(svg.status).toBe(422);
    expect(svg.body.errors).toEqual([{ field: 'images.logo.data', message: expect.stringContaining('SVG images are not accepted') }]);
    expect(svgType.status).toBe(422);
    expect(svgType.body.errors[0].field).toBe('images.logo.contentType');
    expect(text.status).toBe(422);
    expect(text.body.errors).toEqual([{ field: 'images.stamp.data', message: 'the data is not a PNG or JPEG image' }]);
    expect(mislabelled.status).toBe(422);
    expect(big.status).toBe(422);
    expect(big.body.errors).toEqual([{ field: 'images.logo.data', message: 'the image is larger than 512 KB' }]);
    expect((await api.get('/v1/settings')).body).toEqual({ ...before, images: expect.anything() });
    expect((await api.get('/v1/settings')).body.version).toBe(before.version);
  });

  it('lets every role read the settings and only admins change them', async () => {
    const viewer = apiClient(() => stack().apiUrl, acme.keys.viewer);
    const manager = apiClient(() => stack().apiUrl, acme.keys.manager);
    expect((await viewer.get('/v1/settings')).status).toBe(200);
    expect((await manager.put('/v1/settings', SETTINGS)).status).toBe(403);
    expect((await viewer.put('/v1/settings', SETTINGS)).status).toBe(403);
  });

  it('validates the fields and refuses unknown ones', async () => {
    const res = await api.put('/v1/settings', { ...SETTINGS, brandColor: 'red', smsSenderId: 'TOO-LONG-SENDER', locale: 'de', surprise: true });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['brandColor', 'locale', 'smsSenderId', 'surprise']);
  });

  it("keeps each tenant's settings its own", async () => {
    const other = apiClient(() => stack().apiUrl, (await makeTenant('Other', { seller: false })).adminKey);
    expect((await other.get('/v1/settings')).body).toMatchObject({ tenantName: 'Other', legalName: null, images: { logo: null } });
  });
});
