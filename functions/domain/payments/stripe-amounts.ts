/**
 * Amounts between our decimal strings and Stripe's integers in the currency's smallest unit.
 * Stripe follows ISO 4217's minor units (money.ts) except where its own list says otherwise: MGA is
 * zero-decimal at Stripe (ISO gives it 2). Three-decimal currencies (BHD, JOD, KWD, OMR, TND) go over
 * as thousandths, and Stripe wants those to end in 0: such an amount is refused here, not rounded.
 */
import { type DecimalInput, dec, isCurrency, minorUnits, RuleViolation } from '../kernel';

const STRIPE_ZERO_DECIMAL_OVERRIDES = new Set(['MGA']);
const STRIPE_THREE_DECIMAL = new Set(['BHD', 'JOD', 'KWD', 'OMR', 'TND']);

/** Digits of Stripe's smallest unit for the currency (upper or lower case). */
export function stripeMinorUnits(currency: string): number {
  const code = currency.toUpperCase();
  return STRIPE_ZERO_DECIMAL_OVERRIDES.has(code) ? 0 : minorUnits(code);
}

/** "123.45" EUR -> 12345. RuleViolation (field `amount`) for an amount that is not whole in that unit, not positive, or too large. */
export function toStripeAmount(amount: DecimalInput, currency: string, field = 'amount'): number {
  const code = currency.toUpperCase();
  if (!isCurrency(code)) throw new RuleViolation(`unknown currency ${currency}`, [{ field: 'currency', message: 'an ISO 4217 code' }]);
  const minor = dec(amount).mul(10 ** stripeMinorUnits(code));
  const problem = !minor.isInteger()
    ? `must be whole in ${code}'s smallest unit`
    : minor.lte(0)
      ? 'must be positive'
      : minor.gt(99_999_999)
        ? 'is above what one card payment may be'
        : STRIPE_THREE_DECIMAL.has(code) && !minor.mod(10).isZero()
          ? `Stripe takes ${code} amounts in tens of the smallest unit`
          : null;
  if (problem) throw new RuleViolation(`the amount ${problem}`, [{ field, message: problem }]);
  return minor.toNumber();
}

/** 12345 "eur" -> "123.45" (exact, with the currency's digits). */
export function fromStripeAmount(minor: number, currency: string): string {
  const digits = stripeMinorUnits(currency);
  return dec(minor)
    .div(10 ** digits)
    .toFixed(digits);
}
