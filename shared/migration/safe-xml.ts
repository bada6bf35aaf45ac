/**
 * Reading an uploaded XML file as hostile input (STYLE "Hostile XML"): fast-xml-parser with every
 * option that decides what a file can do set explicitly, and refusals that name the line at fault.
 *
 * - A DOCTYPE is refused outright, before parsing: no DTD, so no entity can be declared, expanded
 *   (billion laughs) or fetched (external entities); the parser never resolves anything outside the
 *   text it is given anyway, and `processEntities: false` keeps even the predefined ones as text.
 * - Limits: bytes, nesting depth and element count, each refused with the limit named.
 * - Only UTF-8 (with or without its BOM): another declared encoding, a UTF-16 BOM or bytes that are
 *   not UTF-8 are refused rather than guessed at.
 */
import { XMLParser, XMLValidator } from "fast-xml-parser";

export interface XmlLimits {
  maxBytes: number;
  maxDepth: number;
  maxElements: number;
}

/** One element: its name, the 1-based line it starts on, its text and its child elements in order. */
export interface XmlElement {
  name: string;
  line: number;
  text: string;
  attributes: Record<string, string>;
  children: XmlElement[];
}

export class XmlRefused extends Error {
  constructor(
    message: string,
    readonly line?: number,
  ) {
    super(line === undefined ? message : `line ${line}: ${message}`);
    this.name = "XmlRefused";
  }
}

function lineAt(text: string, index: number): number {
  return lineIndex(text)(index);
}

/** index → 1-based line, by binary search over the positions of the line feeds (found once). */
function lineIndex(text: string): (index: number) => number {
  const feeds: number[] = [];
  for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) feeds.push(i);
  return (index) => {
    let low = 0;
    let high = feeds.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (feeds[mid]! < index) low = mid + 1;
      else high = mid;
    }
    return low + 1;
  };
}

function decodeUtf8(bytes: Buffer): string {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    throw new XmlRefused("the file is UTF-16; only UTF-8 is read (save it as UTF-8)", 1);
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    const valid = Buffer.from(new TextDecoder("utf-8").decode(bytes), "utf8");
    let at = 0;
    while (at < bytes.length && bytes[at] === valid[at]) at++;
    throw new XmlRefused("the file is not UTF-8 text", lineAt(bytes.subarray(0, at).toString("latin1"), at));
  }
  const declared = /^<\?xml[^>]*\bencoding\s*=\s*["']([^"']+)["']/.exec(text)?.[1];
  if (declared && !/^utf-?8$/i.test(declared)) throw new XmlRefused(`the file declares encoding "${declared.slice(0, 40)}"; only UTF-8 is read`, 1);
  return text;
}

const parserOptions = {
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: "",
  allowBooleanAttributes: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: false,
  htmlEntities: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  commentPropName: false,
  cdataPropName: false,
  captureMetaData: true,
} as const;

type OrderedNode = Record<string, unknown> & { ":@"?: Record<string, string> };

/**
 * Parses `bytes` into an element tree, or throws XmlRefused naming the line and the rule broken.
 * `limits.maxBytes` is checked first, before any decoding.
 */
export function readXml(bytes: Buffer, limits: XmlLimits): XmlElement {
  if (bytes.length > limits.maxBytes) throw new XmlRefused(`the file has ${bytes.length} bytes; at most ${limits.maxBytes} are read`);
  const text = decodeUtf8(bytes);
  const doctype = /<!DOCTYPE/i.exec(text);
  if (doctype) throw new XmlRefused("a DOCTYPE (document type definition) is not accepted: no DTD, entity declaration or external reference is processed", lineAt(text, doctype.index));
  if (/<!ENTITY/i.test(text)) throw new XmlRefused("an ENTITY declaration is not accepted", lineAt(text, text.search(/<!ENTITY/i)));
  const valid = XMLValidator.validate(text, { allowBooleanAttributes: false });
  if (valid !== true) throw new XmlRefused(`not well-formed XML: ${valid.err.msg}`, valid.err.line);

  let elements = 0;
  const parser = new XMLParser({
    ...parserOptions,
    maxNestedTags: limits.maxDepth,
    updateTag: (tagName: string) => {
      if (++elements > limits.maxElements) throw new XmlRefused(`the file has more than ${limits.maxElements} elements`);
      return tagName;
    },
  });
  let ordered: OrderedNode[];
  try {
    ordered = parser.parse(text) as OrderedNode[];
  } catch (error) {
    if (error instanceof XmlRefused) throw error;
    const message = error instanceof Error ? error.message : "unreadable";
    if (/nested tags/i.test(message)) throw new XmlRefused(`elements are nested deeper than ${limits.maxDepth} levels`);
    throw new XmlRefused(`not readable as XML: ${message.slice(0, 200)}`);
  }
  const meta = XMLParser.getMetaDataSymbol() as unknown as string;
  const lineOf = lineIndex(text);
  const convert = (node: OrderedNode): XmlElement | undefined => {
    const name = Object.keys(node).find((key) => key !== ":@" && key !== "#text");
    if (!name) return undefined;
    const content = (node[name] as OrderedNode[]) ?? [];
    const start = (node as Record<string, { startIndex?: number }>)[meta]?.startIndex ?? 0;
    return {
      name,
      line: lineOf(start),
      text: content.map((c) => (typeof c["#text"] === "string" ? c["#text"] : "")).join(""),
      attributes: { ...(node[":@"] ?? {}) },
      children: content.map(convert).filter((c): c is XmlElement => c !== undefined),
    };
  };
  const roots = ordered.map(convert).filter((c): c is XmlElement => c !== undefined);
  if (roots.length !== 1) throw new XmlRefused(roots.length === 0 ? "the file has no root element" : "the file has more than one root element");
  return roots[0]!;
}
