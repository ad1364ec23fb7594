/**
 * The EPC QR code (European Payments Council, "Quick Response code: guidelines to enable data capture
 * for the initiation of a SEPA credit transfer", EPC069-12): what a banking app scans to fill in a SEPA
 * credit transfer. The payload is a few lines of text, separated by LF:
 *
 *   BCD | 002 | 1 (UTF-8) | SCT | BIC (optional in version 002) | beneficiary name (<= 70) | IBAN |
 *   EUR<amount> (0.01 to 999999999.99) | purpose code (4 letters, optional) |
 *   structured reference (empty here) | unstructured remittance (<= 140; the invoice number) |
 *   beneficiary-to-originator information (optional, <= 70)
 *
 * Trailing empty lines are left out, and the whole stays within 331 bytes. The code must be drawn with
 * error correction level M (functions/adapters/qr). Only EUR exists in the format. Pure.
 */
import { electronicFormatIBAN, isSEPACountry, isValidBIC, isValidIBAN } from 'ibantools';
import { dec, type FieldError, isDecimalString, RuleViolation } from '../kernel';

export interface EpcTransfer {
  /** Beneficiary (the seller), at most 70 characters. */
  name: string;
  /** With or without spaces, any case; must be a valid IBAN of a SEPA country. */
  iban: string;
  /** Optional since version 002 inside the EEA. */
  bic?: string;
  /** A decimal string with at most 2 decimals, 0.01 to 999999999.99. */
  amount: string;
  currency: string;
  /** Unstructured remittance information: the invoice number. At most 140 characters. */
  remittance: string;
  /** ISO 20022 purpose code, 4 capital letters (e.g. GDDS, SCVE). */
  purpose?: string;
  /** Shown to the payer, at most 70 characters. */
  information?: string;
}

export const EPC_MAX_BYTES = 331;
export const EPC_ERROR_CORRECTION = 'M' as const;
const MAX_AMOUNT = '999999999.99';

const hasLineBreak = (s: string) => /[\r\n]/.test(s);

/** The checked transfer in its canonical form (IBAN and BIC compact and upper case, text trimmed). */
export function validateEpcTransfer(t: EpcTransfer): EpcTransfer & { iban: string } {
  const errors: FieldError[] = [];
  const text = (field: string, value: string | undefined, max: number, required: boolean) => {
    const v = value?.trim() ?? '';
    if (required && v === '') errors.push({ field, message: 'required' });
    else if ([...v].length > max) errors.push({ field, message: `at most ${max} characters` });
    else if (hasLineBreak(v)) errors.push({ field, message: 'must be a single line' });
    return v;
  };
  const name = text('name', t.name, 70, true);
  const remittance = text('remittance', t.remittance, 140, true);
  const information = text('information', t.information, 70, false);
  const iban = electronicFormatIBAN(t.iban) ?? '';
  if (!isValidIBAN(iban)) errors.push({ field: 'iban', message: 'not a valid IBAN (country, length or check digits)' });
  else if (!isSEPACountry(iban.slice(0, 2))) errors.push({ field: 'iban', message: 'not an IBAN of a SEPA country' });
  const bic = t.bic?.replace(/\s+/g, '').toUpperCase() || undefined;
  if (bic && !isValidBIC(bic)) errors.push({ field: 'bic', message: 'not a valid BIC' });
  if (t.currency !== 'EUR') errors.push({ field: 'currency', message: 'SEPA credit transfers are in EUR only' });
  if (!isDecimalString(t.amount, { maxScale: 2 }) || dec(t.amount).lt('0.01') || dec(t.amount).gt(MAX_AMOUNT)) {
    errors.push({ field: 'amount', message: `a decimal from 0.01 to ${MAX_AMOUNT} with at most 2 decimals` });
  }
  const purpose = t.purpose?.trim() || undefined;
  if (purpose && !/^[A-Z]{4}$/.test(purpose)) errors.push({ field: 'purpose', message: 'an ISO 20022 purpose code of 4 capital letters' });
  if (errors.length > 0) throw new RuleViolation('the bank transfer details cannot make an EPC QR code', errors);
  return {
    name,
    iban,
    ...(bic ? { bic } : {}),
    amount: t.amount,
    currency: 'EUR',
    remittance,
    ...(purpose ? { purpose } : {}),
    ...(information ? { information } : {}),
  };
}

/** The text to encode in the QR code. RuleViolation naming the fields that do not fit. */
export function epcQrPayload(transfer: EpcTransfer): string {
  const t = validateEpcTransfer(transfer);
  const lines = [
    'BCD',
    '002',
    '1',
    'SCT',
    t.bic ?? '',
    t.name,
    t.iban,
    `EUR${dec(t.amount).toFixed(2)}`,
    t.purpose ?? '',
    '',
    t.remittance,
    t.information ?? '',
  ];
  while (lines[lines.length - 1] === '') lines.pop();
  const payload = lines.join('\n');
  if (Buffer.byteLength(payload, 'utf8') > EPC_MAX_BYTES) {
    throw new RuleViolation('the bank transfer details are too long for an EPC QR code', [
      { field: 'remittance', message: `the whole code holds at most ${EPC_MAX_BYTES} bytes` },
    ]);
  }
  return payload;
}

/** Reads a payload back into its fields (for tests, and for anyone checking a scanned code). */
export function parseEpcQrPayload(payload: string): EpcTransfer & { version: string } {
  const f = payload.split('\n');
  if (f[0] !== 'BCD' || !['001', '002'].includes(f[1]) || f[2] !== '1' || f[3] !== 'SCT') throw new Error('not an EPC QR payload (BCD, 001/002, UTF-8, SCT)');
  const amount = f[7] ?? '';
  if (!amount.startsWith('EUR')) throw new Error('the amount is not in EUR');
  return {
    version: f[1],
    ...(f[4] ? { bic: f[4] } : {}),
    name: f[5] ?? '',
    iban: f[6] ?? '',
    amount: amount.slice(3),
    currency: 'EUR',
    ...(f[8] ? { purpose: f[8] } : {}),
    remittance: f[10] ?? '',
    ...(f[11] ? { information: f[11] } : {}),
  };
}
