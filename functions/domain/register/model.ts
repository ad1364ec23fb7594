/**
 * The register of issued invoices (Spain's VERI*FACTU, RD 1007/2023 and Orden HAC/1177/2024): records as
 * the AEAT specification names and formats them, so anyone holding a record can recompute its fingerprint.
 *
 * - An issue appends a "registro de alta"; a cancellation a "registro de anulación".
 * - Records form ONE chain per issuer NIF (per invoicing system), across every series: each record's
 *   fingerprint (huella) covers the previous record's, in the order the records were generated.
 * - The first record of a chain says `PrimerRegistro: 'S'` and hashes an empty previous huella.
 */

/** L2 list: F1 invoice, F2 simplified, F3 replaces simplified ones; R1-R5 corrective (rectificativas). */
export const TIPOS_FACTURA = ['F1', 'F2', 'F3', 'R1', 'R2', 'R3', 'R4', 'R5'] as const;
export type TipoFactura = (typeof TIPOS_FACTURA)[number];

/** The previous record's identity, as the chaining block names it (whatever that record's kind). */
export interface RegistroAnterior {
  IDEmisorFactura: string;
  NumSerieFactura: string;
  FechaExpedicionFactura: string;
  Huella: string;
}

export type Encadenamiento = { PrimerRegistro: 'S' } | { RegistroAnterior: RegistroAnterior };

/** What an issue gives the register (dates as dd-mm-aaaa, amounts with 2 decimals and a point). */
export interface AltaFields {
  IDEmisorFactura: string;
  NumSerieFactura: string;
  FechaExpedicionFactura: string;
  TipoFactura: TipoFactura;
  /** Σ VAT (+ equivalence surcharge). */
  CuotaTotal: string;
  /** Σ (base + VAT + surcharge): NOT less IRPF withholding. */
  ImporteTotal: string;
}

export interface RegistroAlta extends AltaFields {
  Encadenamiento: Encadenamiento;
  /** aaaa-mm-ddThh:mm:ss±hh:mm in Europe/Madrid time. */
  FechaHoraHusoGenRegistro: string;
  /** 01: SHA-256. */
  TipoHuella: '01';
  Huella: string;
}

/** What a cancellation gives the register: the identity of the invoice it cancels. */
export interface AnulacionFields {
  IDEmisorFacturaAnulada: string;
  NumSerieFacturaAnulada: string;
  FechaExpedicionFacturaAnulada: string;
}

export interface RegistroAnulacion extends AnulacionFields {
  Encadenamiento: Encadenamiento;
  FechaHoraHusoGenRegistro: string;
  TipoHuella: '01';
  Huella: string;
}

export type RegisterRecordKind = 'alta' | 'anulacion';

/** One record of a chain, as stored (immutable once written). */
export type RegisterEntry = {
  /** The issuer NIF the chain belongs to. */
  issuerTaxId: string;
  /** 1-based position in the issuer's chain: the next record of a chain is head.sequence + 1. */
  sequence: number;
  /** The invoice (or credit note) the record is about. */
  invoiceId: string;
  /** '' for the first record. */
  previousHuella: string;
  huella: string;
} & ({ kind: 'alta'; record: RegistroAlta; qrUrl: string } | { kind: 'anulacion'; record: RegistroAnulacion });

/** Where verification found the chain broken, and why. */
export interface BrokenLink {
  sequence: number;
  invoiceId: string;
  reason: 'sequence' | 'issuer' | 'previous' | 'huella' | 'timestamp';
  message: string;
}

export interface ChainVerification {
  ok: boolean;
  /** Records checked. */
  records: number;
  firstBroken?: BrokenLink;
}
