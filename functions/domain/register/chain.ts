/**
 * Appending to an issuer's chain and verifying it.
 *
 * Appending is pure: given the chain's current head (its last record, or null for a new chain), the
 * record's fields and the clock, it returns the next record. Storing it exactly once, in order, is the
 * caller's job: the integration writes the record and moves the head in the transaction that issues (or
 * cancels) the invoice, conditioned on the head it read, so two concurrent issues of one issuer (even in
 * two series) cannot both chain to the same head.
 */
import { Conflict, type FieldError, isValidSpanishTaxId, normalizeSpanishTaxId, RuleViolation } from '../kernel';
import { AEAT_AMOUNT, madridTimestamp, numSerieFacturaProblem, parseTimestamp } from './formats';
import { altaText, anulacionText, huellaOf } from './huella';
import {
  TIPOS_FACTURA,
  type AltaFields,
  type AnulacionFields,
  type BrokenLink,
  type ChainVerification,
  type Encadenamiento,
  type RegisterEntry,
  type RegistroAlta,
  type RegistroAnterior,
  type RegistroAnulacion,
} from './model';
import { qrUrl, type RegisterEnvironment } from './qr';

/** Orden HAC/1177/2024 art. 7.i: the previous record may not be more than a minute after "now". */
export const MAX_CLOCK_SKEW_MS = 60_000;

const AEAT_DATE = /^(\d{2})-(\d{2})-(\d{4})$/;

export interface AppendContext {
  invoiceId: string;
  now: Date;
  /** For the QR URL of an alta: VERI*FACTU (default) or not, production (default) or test host. */
  verifactu?: boolean;
  environment?: RegisterEnvironment;
}

function identityProblems(nif: string, number: string, date: string, suffix: string): FieldError[] {
  const errors: FieldError[] = [];
  if (!isValidSpanishTaxId(nif) || normalizeSpanishTaxId(nif) !== nif) {
    errors.push({ field: `IDEmisorFactura${suffix}`, message: 'must be a valid Spanish NIF, 9 characters, no prefix' });
  }
  const numberProblem = numSerieFacturaProblem(number);
  if (numberProblem) errors.push({ field: `NumSerieFactura${suffix}`, message: numberProblem });
  if (!AEAT_DATE.test(date)) errors.push({ field: `FechaExpedicionFactura${suffix}`, message: 'must be a date as dd-mm-aaaa' });
  return errors;
}

function chaining(head: RegisterEntry | null, issuerTaxId: string, now: Date): { previous: string; encadenamiento: Encadenamiento; sequence: number } {
  if (!head) return { previous: '', encadenamiento: { PrimerRegistro: 'S' }, sequence: 1 };
  if (head.issuerTaxId !== issuerTaxId) throw new Error(`the head of ${head.issuerTaxId}'s chain was given for ${issuerTaxId}`);
  const headTime = parseTimestamp(head.record.FechaHoraHusoGenRegistro);
  if (headTime && headTime.getTime() - now.getTime() > MAX_CLOCK_SKEW_MS) {
    throw new Conflict(
      `the register's last record is dated ${head.record.FechaHoraHusoGenRegistro}, more than a minute after now (${madridTimestamp(now)}): check the clock before registering`,
    );
  }
  return { previous: head.huella, encadenamiento: { RegistroAnterior: previousOf(head) }, sequence: head.sequence + 1 };
}

/** How the next record names this one in its chaining block. */
function previousOf(entry: RegisterEntry): RegistroAnterior {
  return entry.kind === 'alta'
    ? {
        IDEmisorFactura: entry.record.IDEmisorFactura,
        NumSerieFactura: entry.record.NumSerieFactura,
        FechaExpedicionFactura: entry.record.FechaExpedicionFactura,
        Huella: entry.huella,
      }
    : {
        IDEmisorFactura: entry.record.IDEmisorFacturaAnulada,
        NumSerieFactura: entry.record.NumSerieFacturaAnulada,
        FechaExpedicionFactura: entry.record.FechaExpedicionFacturaAnulada,
        Huella: entry.huella,
      };
}

const sameLink = (a: RegistroAnterior, b: RegistroAnterior) =>
  a.IDEmisorFactura === b.IDEmisorFactura &&
  a.NumSerieFactura === b.NumSerieFactura &&
  a.FechaExpedicionFactura === b.FechaExpedicionFactura &&
  a.Huella === b.Huella;

/** The registro de alta that follows `head` in the issuer's chain. Throws RuleViolation on malformed fields. */
export function appendAlta(head: RegisterEntry | null, fields: AltaFields, context: AppendContext): RegisterEntry {
  const errors = identityProblems(fields.IDEmisorFactura, fields.NumSerieFactura, fields.FechaExpedicionFactura, '');
  if (!(TIPOS_FACTURA as readonly string[]).includes(fields.TipoFactura))
    errors.push({ field: 'TipoFactura', message: `must be one of ${TIPOS_FACTURA.join(', ')}` });
  for (const key of ['CuotaTotal', 'ImporteTotal'] as const) {
    if (!AEAT_AMOUNT.test(fields[key])) errors.push({ field: key, message: 'must be an amount with a point and two decimals, e.g. 121.00' });
  }
  if (errors.length > 0) throw new RuleViolation('the register record is not valid', errors);

  const { previous, encadenamiento, sequence } = chaining(head, fields.IDEmisorFactura, context.now);
  const timestamp = madridTimestamp(context.now);
  const huella = huellaOf(altaText(fields, previous, timestamp));
  const record: RegistroAlta = { ...fields, Encadenamiento: encadenamiento, FechaHoraHusoGenRegistro: timestamp, TipoHuella: '01', Huella: huella };
  const url = qrUrl(
    { nif: fields.IDEmisorFactura, numserie: fields.NumSerieFactura, fecha: fields.FechaExpedicionFactura, importe: fields.ImporteTotal },
    { verifactu: context.verifactu, environment: context.environment },
  );
  return { issuerTaxId: fields.IDEmisorFactura, sequence, invoiceId: context.invoiceId, previousHuella: previous, huella, kind: 'alta', record, qrUrl: url };
}

/** The registro de anulación that follows `head` in the issuer's chain. */
export function appendAnulacion(head: RegisterEntry | null, fields: AnulacionFields, context: AppendContext): RegisterEntry {
  const errors = identityProblems(fields.IDEmisorFacturaAnulada, fields.NumSerieFacturaAnulada, fields.FechaExpedicionFacturaAnulada, 'Anulada');
  if (errors.length > 0) throw new RuleViolation('the register record is not valid', errors);
  const { previous, encadenamiento, sequence } = chaining(head, fields.IDEmisorFacturaAnulada, context.now);
  const timestamp = madridTimestamp(context.now);
  const huella = huellaOf(anulacionText(fields, previous, timestamp));
  const record: RegistroAnulacion = { ...fields, Encadenamiento: encadenamiento, FechaHoraHusoGenRegistro: timestamp, TipoHuella: '01', Huella: huella };
  return { issuerTaxId: fields.IDEmisorFacturaAnulada, sequence, invoiceId: context.invoiceId, previousHuella: previous, huella, kind: 'anulacion', record };
}

/** The fingerprint a record's own fields give (what an auditor recomputes). */
export function recomputeHuella(entry: RegisterEntry): string {
  const previous = 'RegistroAnterior' in entry.record.Encadenamiento ? entry.record.Encadenamiento.RegistroAnterior.Huella : '';
  return entry.kind === 'alta'
    ? huellaOf(altaText(entry.record, previous, entry.record.FechaHoraHusoGenRegistro))
    : huellaOf(anulacionText(entry.record, previous, entry.record.FechaHoraHusoGenRegistro));
}

/**
 * Checks one issuer's chain, records in generation order: positions 1, 2, 3...; one issuer; each record
 * chained to the one before (first: PrimerRegistro and an empty previous huella); each huella recomputed
 * from the record's own fields; timestamps never going back. Stops at the first broken link.
 */
export function verifyChain(entries: readonly RegisterEntry[]): ChainVerification {
  const broken = (entry: RegisterEntry, reason: BrokenLink['reason'], message: string): ChainVerification => ({
    ok: false,
    records: entries.length,
    firstBroken: { sequence: entry.sequence, invoiceId: entry.invoiceId, reason, message },
  });
  let before: RegisterEntry | null = null;
  for (const [i, entry] of entries.entries()) {
    if (entry.sequence !== i + 1)
      return broken(entry, 'sequence', `record ${i + 1} of the chain says it is number ${entry.sequence}: a record is missing or repeated`);
    if (before && entry.issuerTaxId !== before.issuerTaxId)
      return broken(entry, 'issuer', `the record belongs to ${entry.issuerTaxId}'s chain, not ${before.issuerTaxId}'s`);
    const link = entry.record.Encadenamiento;
    const expectedPrevious = before?.huella ?? '';
    const linked = before
      ? 'RegistroAnterior' in link && sameLink(link.RegistroAnterior, previousOf(before))
      : 'PrimerRegistro' in link && link.PrimerRegistro === 'S';
    if (!linked || entry.previousHuella !== expectedPrevious) {
      return broken(
        entry,
        'previous',
        before
          ? `the record does not chain to record ${before.sequence} (huella ${expectedPrevious})`
          : 'the first record must say PrimerRegistro=S with no previous huella',
      );
    }
    const recomputed = recomputeHuella(entry);
    if (recomputed !== entry.huella || entry.record.Huella !== entry.huella) {
      return broken(entry, 'huella', `the huella recomputed from the record's fields is ${recomputed}, the record says ${entry.record.Huella}`);
    }
    const time = parseTimestamp(entry.record.FechaHoraHusoGenRegistro);
    const previousTime = before ? parseTimestamp(before.record.FechaHoraHusoGenRegistro) : null;
    if (!time || (previousTime && time < previousTime)) {
      return broken(entry, 'timestamp', `the record's time ${entry.record.FechaHoraHusoGenRegistro} is malformed or earlier than the previous record's`);
    }
    before = entry;
  }
  return { ok: true, records: entries.length };
}
