/**
 * XML writing for the builders, through fast-xml-parser's XMLBuilder (escaping, attributes, repeated
 * elements). A document is described as nested objects whose key order is the element order the schema
 * wants; `undefined`, `null`, '' and empty objects are left out, so optional business terms need no `if`.
 */
import { XMLBuilder } from 'fast-xml-parser';

export type XmlValue = string | XmlElement | XmlValue[] | undefined | null | false;
export interface XmlElement {
  [name: string]: XmlValue;
}

/** XML 1.0 forbids most control characters even escaped: they are dropped from text. */
// eslint-disable-next-line no-control-regex
const FORBIDDEN_CHARS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;

/** A text value with XML 1.0's forbidden characters removed and surrounding spaces trimmed. */
export function text(value: string | undefined | null): string | undefined {
  if (value === undefined || value === null) return undefined;
  const cleaned = value.replace(FORBIDDEN_CHARS, '').trim();
  return cleaned === '' ? undefined : cleaned;
}

/** An element with attributes and text, e.g. `withAttrs('100.00', { currencyID: 'EUR' })`. */
export function withAttrs(value: string | undefined, attrs: Record<string, string | undefined>): XmlElement | undefined {
  if (value === undefined) return undefined;
  const element: XmlElement = { '#text': value };
  for (const [name, v] of Object.entries(attrs)) if (v !== undefined) element[`@${name}`] = v;
  return element;
}

const KEEP = '#keep';

/** Marks an element the schema requires even when it has nothing in it: `{ ...KEEP_EMPTY, child: maybe }`. */
export const KEEP_EMPTY: XmlElement = { [KEEP]: 'yes' };

function prune(value: XmlValue): XmlValue {
  if (value === undefined || value === null || value === false) return undefined;
  if (typeof value === 'string') return text(value);
  if (Array.isArray(value)) {
    const items = value.map(prune).filter((v) => v !== undefined);
    return items.length > 0 ? items : undefined;
  }
  const out: XmlElement = {};
  for (const [name, child] of Object.entries(value)) {
    if (name === KEEP) continue;
    const pruned = name.startsWith('@') ? child : prune(child);
    if (pruned !== undefined && pruned !== null && pruned !== false) out[name] = pruned;
  }
  const children = Object.keys(out).filter((k) => !k.startsWith('@'));
  return children.length > 0 || KEEP in value ? out : undefined;
}

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  textNodeName: '#text',
  format: true,
  indentBy: '  ',
  processEntities: true,
});

/** The document as UTF-8 XML text with its declaration. */
export function writeXml(root: string, element: XmlElement): string {
  const pruned = prune(element) ?? {};
  return `<?xml version="1.0" encoding="UTF-8"?>\n${builder.build({ [root]: pruned })}`;
}

/** YYYYMMDD (UN/CEFACT date format 102) of a YYYY-MM-DD date. */
export const date102 = (isoDate: string) => isoDate.replaceAll('-', '');
