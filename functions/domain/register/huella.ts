/**
 * The fingerprint (huella) of a register record, exactly as the AEAT specification «Detalle de las
 * especificaciones técnicas para la generación de la huella» (v0.1.2) says:
 * - the text is `Name=value` pairs joined with `&`, field names written literally, in a fixed order;
 * - values are trimmed and NOT URL-escaped; a field with no value still appears as `Name=`;
 * - `Huella` is the previous record's fingerprint (empty for the first record of the chain);
 * - the text is encoded in UTF-8, hashed with SHA-256, and written as 64 upper-case hex characters.
 */
import { createHash } from 'node:crypto';
import type { AltaFields, AnulacionFields } from './model';

type Pairs = [name: string, value: string | undefined][];

const join = (pairs: Pairs) => pairs.map(([name, value]) => `${name}=${(value ?? '').trim()}`).join('&');

/** The text hashed for a registro de alta. */
export function altaText(fields: AltaFields, previousHuella: string, timestamp: string): string {
  return join([
    ['IDEmisorFactura', fields.IDEmisorFactura],
    ['NumSerieFactura', fields.NumSerieFactura],
    ['FechaExpedicionFactura', fields.FechaExpedicionFactura],
    ['TipoFactura', fields.TipoFactura],
    ['CuotaTotal', fields.CuotaTotal],
    ['ImporteTotal', fields.ImporteTotal],
    ['Huella', previousHuella],
    ['FechaHoraHusoGenRegistro', timestamp],
  ]);
}

/** The text hashed for a registro de anulación. */
export function anulacionText(fields: AnulacionFields, previousHuella: string, timestamp: string): string {
  return join([
    ['IDEmisorFacturaAnulada', fields.IDEmisorFacturaAnulada],
    ['NumSerieFacturaAnulada', fields.NumSerieFacturaAnulada],
    ['FechaExpedicionFacturaAnulada', fields.FechaExpedicionFacturaAnulada],
    ['Huella', previousHuella],
    ['FechaHoraHusoGenRegistro', timestamp],
  ]);
}

/** SHA-256 of the UTF-8 text, as 64 upper-case hex characters. */
export function huellaOf(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex').toUpperCase();
}
