/**
 * A client's balance per currency (`ClientBalance.of`), and the records it is computed from
 * (`ClientBalance.ledger`, which the rebuild test reads too).
 */
export { clientLedger as ledger, of } from './read';
export { clientBalance as fromRecords, type ClientBalanceRow as Row } from './figures';
