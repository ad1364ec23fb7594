/**
 * The kernel: the building blocks every business area uses (errors, ids, dates, money and pricing, text
 * keys, records, ports, timeline, outbox events, pipelines and number formats, Spanish tax ids, the
 * sealed-secret port). Unlike the business areas, which expose namespaces of verbs, the kernel is a
 * library: its functions and types are exported by name. It imports nothing but itself and the event
 * contracts (events/).
 */
export * from './commands';
export * from './dates';
export * from './errors';
export * from './first-use';
export * from './header-text';
export * from './ids';
export * from './money';
export * from './numbering';
export * from './outbox';
export * from './pipeline';
export * from './ports';
export * from './pricing';
export * from './records';
export * from './secrets';
export * from './spanish-tax-id';
export * from './tax-id';
export * from './text';
export * from './timeline';
