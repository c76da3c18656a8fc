import { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser';
import { malformedXml } from './s3-errors';

/** S3's XML namespace, on every document's root element. */
export const S3_NS = 'http://s3.amazonaws.com/doc/2006-03-01/';

/** An element's content: text, a nested element map, or a list (repeated elements of one name). */
export type XmlValue = string | number | boolean | XmlElement | XmlValue[] | undefined;
export interface XmlElement {
  [name: string]: XmlValue;
}

const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_', format: false, suppressEmptyNode: false, processEntities: true });

/** `<?xml …?><root xmlns="…">…</root>`; undefined members are left out, arrays repeat their element. */
export function buildXml(root: string, body: XmlElement, namespace: string | null = S3_NS): string {
  const element: XmlElement = namespace ? { '@_xmlns': namespace, ...body } : body;
  return `<?xml version="1.0" encoding="UTF-8"?>\n${builder.build({ [root]: element }) as string}`;
}

/** An element with its text only (GetBucketLocation's `<LocationConstraint>`): the builder cannot put text beside an attribute simply. */
export function buildTextXml(root: string, text: string): string {
  const inner = builder.build({ x: text }) as string; // escapes the text
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${root} xmlns="${S3_NS}">${inner.slice(3, -4)}</${root}>`;
}

const parser = new XMLParser({
  ignoreAttributes: true,
  removeNSPrefix: true,
  parseTagValue: false, // keys such as "0001" stay strings
  trimValues: false, // a key may start or end with spaces
  processEntities: true,
  htmlEntities: false,
});

/**
 * Parses a request body (DeleteObjects, CreateBucketConfiguration…). A document type declaration
 * is refused outright: S3 documents never carry one, and entity definitions are the classic XML
 * expansion attack. Malformed → MalformedXML, as S3.
 */
export function parseXml(text: string): XmlElement {
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) throw malformedXml('document type declarations are not accepted');
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw malformedXml(valid.err.msg);
  const parsed = parser.parse(text) as unknown;
  if (typeof parsed !== 'object' || parsed === null) throw malformedXml('no root element');
  return parsed as XmlElement;
}

/** A child as a list (the parser gives one element as a value and several as an array). */
export function childList(parent: XmlValue, name: string): XmlValue[] {
  if (typeof parent !== 'object' || parent === null || Array.isArray(parent)) return [];
  const value = parent[name];
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** A child's text ('' for an empty element), or undefined when absent or not text. */
export function childText(parent: XmlValue, name: string): string | undefined {
  if (typeof parent !== 'object' || parent === null || Array.isArray(parent)) return undefined;
  const value = parent[name];
  if (value === '' || typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}
