// XML in and out. Requests are checked for well-formedness and refused when
// they declare a DTD (no entity expansion, no external entities); responses are
// built from plain objects, with the S3 namespace on the root.
import { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser';
import { S3Errors } from './errors.ts';

export const S3_NAMESPACE = 'http://s3.amazonaws.com/doc/2006-03-01/';

/** A parsed element: child elements by local name; repeated elements are arrays. */
export type XmlNode = { [name: string]: XmlValue };
export type XmlValue = string | XmlNode | XmlValue[];

const parser = new XMLParser({
  ignoreAttributes: true,
  removeNSPrefix: true,
  parseTagValue: false,
  trimValues: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  processEntities: true,
  htmlEntities: false,
});

/** Parses a request body; any problem is `MalformedXML`. */
export function parseXml(body: string): XmlNode {
  if (/<!DOCTYPE|<!ENTITY/i.test(body)) throw S3Errors.MalformedXML();
  if (body.trim() === '' || XMLValidator.validate(body) !== true) throw S3Errors.MalformedXML();
  try {
    return parser.parse(body) as XmlNode;
  } catch {
    throw S3Errors.MalformedXML();
  }
}

/** The child elements named `name` (zero or more), whatever the parser made of them. */
export function children(node: XmlValue | undefined, name: string): XmlValue[] {
  if (node === undefined || typeof node === 'string' || Array.isArray(node)) return [];
  const value = node[name];
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** The one child element `name` as an element (object), or undefined. */
export function child(node: XmlValue | undefined, name: string): XmlNode | undefined {
  const [first] = children(node, name);
  if (first === undefined) return undefined;
  if (typeof first === 'string') return first.trim() === '' ? {} : undefined;
  return Array.isArray(first) ? undefined : first;
}

/** Text content of a leaf element (an element holding only text), or undefined when absent. */
export function text(value: XmlValue | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return undefined;
  const keys = Object.keys(value).filter((k) => k !== '#text');
  if (keys.length > 0) return undefined;
  const inner = value['#text'];
  return typeof inner === 'string' ? inner : '';
}

/** Text of the child element `name`, or undefined. */
export function childText(node: XmlValue | undefined, name: string): string | undefined {
  const [first] = children(node, name);
  return text(first);
}

/** Names of the element's child elements (not text). */
export function childNames(node: XmlValue | undefined): string[] {
  if (node === undefined || typeof node === 'string' || Array.isArray(node)) return [];
  return Object.keys(node).filter((k) => k !== '#text');
}

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  suppressEmptyNode: false,
  processEntities: true,
  format: false,
});

export type XmlContent = {
  [name: string]: XmlContent | XmlContent[] | string | string[] | number | boolean | undefined;
};

/** `<?xml …?><Root xmlns="…">…</Root>`; undefined fields are left out, arrays repeat. */
export function renderXml(
  root: string,
  content: XmlContent,
  namespace: string | null = S3_NAMESPACE,
): string {
  const body: XmlContent = namespace ? { '@_xmlns': namespace, ...content } : content;
  return `<?xml version="1.0" encoding="UTF-8"?>\n${builder.build({ [root]: dropUndefined(body) })}`;
}

/**
 * renderXml, then `ordered` elements of mixed names in the order given (ListObjectVersions'
 * Version and DeleteMarker, whose order clients keep), then `trailer`'s elements.
 */
export function renderXmlOrdered(
  root: string,
  content: XmlContent,
  ordered: readonly (readonly [name: string, content: XmlContent])[],
  trailer: XmlContent = {},
  namespace: string | null = S3_NAMESPACE,
): string {
  const closing = `</${root}>`;
  const head = renderXml(root, content, namespace);
  if (!head.endsWith(closing)) throw new Error(`renderXmlOrdered: <${root}> needs some content`);
  const middle = ordered.map(([name, inner]) => builder.build({ [name]: dropUndefined(inner) })).join('');
  return `${head.slice(0, -closing.length)}${middle}${builder.build(dropUndefined(trailer))}${closing}`;
}

function dropUndefined(value: XmlContent): XmlContent {
  const out: XmlContent = {};
  for (const [key, inner] of Object.entries(value)) {
    if (inner === undefined) continue;
    if (Array.isArray(inner)) {
      out[key] = inner.map((item) => (typeof item === 'object' ? dropUndefined(item) : item)) as
        | XmlContent[]
        | string[];
    } else if (typeof inner === 'object') out[key] = dropUndefined(inner);
    else out[key] = inner;
  }
  return out;
}
