/**
 * Validation of produced e-invoices by the OFFICIAL CEN EN 16931 artefacts: the XML schemas (UBL 2.1 from
 * OASIS, CII D16B from UN/CEFACT) with xmllint, and the EN 16931 Schematron rules compiled to XSLT with
 * Saxon. The artefacts are not part of this repository; the test runs only when told where they are, and
 * is skipped otherwise:
 *
 *   EN16931_ARTEFACTS  a checkout of github.com/ConnectingEurope/eInvoicing-EN16931 (ubl/xslt, cii/xslt, cii/schema)
 *   UBL21_XSD          the xsd/ folder of the OASIS UBL 2.1 release (maindoc/UBL-Invoice-2.1.xsd, common/...)
 *   SAXON_JAR          Saxon HE (default /usr/share/java/Saxon-HE.jar, Debian's libsaxonhe-java); needs java and xmllint
 *
 * Every document of the sample spread (the recapitulative one with line periods), some mapped from stored invoices, and generated ones must give
 * 0 fatal findings; warnings are printed.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EInvoice, type EInvoiceInput, type EInvoiceSyntax } from '../../../functions/domain/einvoicing';
import { anIssuedInvoice, anIssuedRecapitulativeInvoice, EINVOICE_SAMPLES, sellerSettings } from '../../fixtures/einvoices';

const artefacts = process.env.EN16931_ARTEFACTS;
const ublXsd = process.env.UBL21_XSD;
const saxon = process.env.SAXON_JAR ?? '/usr/share/java/Saxon-HE.jar';
const CII_XSD = 'cii/schema/D16B SCRDM (Subset)/uncoupled clm/CII/uncefact/data/standard/CrossIndustryInvoice_100pD16B.xsd';

function documents(): Record<string, EInvoiceInput> {
  const mapped = {
    'mapped-invoice': EInvoice.fromInvoice(anIssuedInvoice(), sellerSettings),
    'mapped-credit-note-irpf': EInvoice.fromInvoice(
      anIssuedInvoice({
        type: 'credit_note',
        number: 'CN-2026-000002',
        lineInputs: [
          { description: 'Consulting', quantity: '-3', unitPrice: '95.5', taxRate: '21', withholdingRate: '15', discountPercent: '10' },
          { description: 'Travel', quantity: '-1', unitPrice: '42.10', taxRate: '10' },
        ],
      }),
      sellerSettings,
      { precedingInvoices: [{ number: 'INV-2026-000001', issueDate: '2026-03-02' }] },
    ),
    'mapped-export': EInvoice.fromInvoice(
      anIssuedInvoice({
        currency: 'USD',
        client: { kind: 'company', id: 'c', name: 'US Inc', taxId: '12-3456789', address: { country: 'US', city: 'Austin' } },
        lineInputs: [{ description: 'Service', quantity: '2', unitPrice: '150', taxRate: '0' }],
      }),
      sellerSettings,
    ),
    // a recapitulative invoice: each line's operation date as its line period (BG-26, BR-30, BR-CO-20)
    'mapped-recapitulative': EInvoice.fromInvoice(anIssuedRecapitulativeInvoice(), sellerSettings),
  };
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const generated: Record<string, EInvoiceInput> = {};
  for (let n = 0; n < 12; n++) {
    generated[`generated-${n}`] = {
      ...EINVOICE_SAMPLES['one-rate'],
      number: `GEN-${n}`,
      lines: Array.from({ length: 1 + Math.floor(random() * 5) }, (_, i) => ({
        name: `Item ${i}`,
        quantity: (random() * 30).toFixed(3),
        unitPrice: (random() * 500).toFixed(4),
        discountPercent: random() < 0.5 ? (random() * 30).toFixed(2) : undefined,
        vat: random() < 0.2 ? { category: 'Z' as const } : { category: 'S' as const, rate: ['21', '10', '4'][Math.floor(random() * 3)] },
      })),
    };
  }
  return { ...EINVOICE_SAMPLES, ...mapped, ...generated };
}

interface Finding {
  file: string;
  id: string;
  flag: string;
  text: string;
}

function findingsOf(svrlDir: string): Finding[] {
  return readdirSync(svrlDir).flatMap((file) => {
    const svrl = readFileSync(join(svrlDir, file), 'utf8');
    return [...svrl.matchAll(/<svrl:(?:failed-assert|successful-report)\b([^>]*)>([\s\S]*?)<\/svrl:(?:failed-assert|successful-report)>/g)].map((m) => ({
      file,
      id: /\bid="([^"]*)"/.exec(m[1])?.[1] ?? '?',
      flag: /\bflag="([^"]*)"/.exec(m[1])?.[1] ?? 'fatal',
      text: (/<svrl:text>([\s\S]*?)<\/svrl:text>/.exec(m[2])?.[1] ?? '').replace(/\s+/g, ' ').trim(),
    }));
  });
}

const work = mkdtempSync(join(tmpdir(), 'en16931-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe.skipIf(!artefacts)('EN 16931 official validation (XSD + Schematron)', () => {
  const all = documents();

  for (const syntax of ['ubl', 'cii'] as EInvoiceSyntax[]) {
    it(`${syntax}: ${Object.keys(all).length} documents pass the schema and the EN 16931 rules with 0 fatal findings`, () => {
      const dir = join(work, syntax);
      mkdirSync(dir, { recursive: true });
      for (const [name, input] of Object.entries(all)) writeFileSync(join(dir, `${name}.xml`), EInvoice.build(input, syntax));

      const schemaErrors: string[] = [];
      if (syntax === 'cii' || ublXsd) {
        for (const [name, input] of Object.entries(all)) {
          const xsd =
            syntax === 'cii'
              ? join(artefacts!, CII_XSD)
              : join(ublXsd!, 'maindoc', input.kind === 'invoice' ? 'UBL-Invoice-2.1.xsd' : 'UBL-CreditNote-2.1.xsd');
          const run = spawnSync('xmllint', ['--noout', '--schema', xsd, join(dir, `${name}.xml`)], { encoding: 'utf8' });
          if (run.status !== 0) schemaErrors.push(run.stderr);
        }
      }
      const xslt = join(artefacts!, syntax, 'xslt', `EN16931-${syntax.toUpperCase()}-validation.xslt`);
      expect(existsSync(xslt), xslt).toBe(true);
      const svrl = join(work, `svrl-${syntax}`);
      mkdirSync(svrl, { recursive: true });
      execFileSync('java', ['-jar', saxon, `-s:${dir}`, `-xsl:${xslt}`, `-o:${svrl}`], { stdio: 'pipe', timeout: 300_000 });

      const findings = findingsOf(svrl);
      for (const f of findings.filter((x) => x.flag !== 'fatal')) console.warn(`${syntax} ${f.file}: ${f.flag} ${f.id} ${f.text}`);
      expect(readdirSync(svrl)).toHaveLength(Object.keys(all).length);
      expect(schemaErrors).toEqual([]);
      expect(findings.filter((f) => f.flag === 'fatal')).toEqual([]);
    }, 600_000);
  }
});
