/**
 * Reads the Bicep templates offline: parses them with tree-sitter-bicep (WebAssembly, through
 * web-tree-sitter) and evaluates the parts the infra tests check — literal values, variables,
 * parameter defaults, unions and ternaries of objects — without Azure or the Bicep compiler.
 * Anything that only Azure can compute (resource properties, uniqueString, ...) stays symbolic.
 */
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Language, Parser, type Node } from "web-tree-sitter";

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const infraDir = join(repoRoot, "infra");

const require = createRequire(import.meta.url);
const parsers = new Map<string, Promise<Parser>>();

/** A tree-sitter parser for a grammar that ships its .wasm in its npm package. */
export function grammarParser(packageName: "tree-sitter-bicep" | "tree-sitter-powershell"): Promise<Parser> {
  let parser = parsers.get(packageName);
  if (!parser) {
    parser = (async () => {
      await Parser.init();
      const wasm = join(dirname(require.resolve(`${packageName}/package.json`)), `${packageName}.wasm`);
      const language = await Language.load(wasm);
      const instance = new Parser();
      instance.setLanguage(language);
      return instance;
    })();
    parsers.set(packageName, parser);
  }
  return parser;
}

export interface SyntaxProblem {
  line: number;
  column: number;
  kind: "ERROR" | "MISSING";
  text: string;
}

/** Every ERROR and MISSING node of a parse, with a 1-based position and a snippet. */
export function syntaxProblems(root: Node): SyntaxProblem[] {
  const problems: SyntaxProblem[] = [];
  const visit = (node: Node) => {
    if (node.type === "ERROR" || node.isMissing) {
      problems.push({
        line: node.startPosition.row + 1,
        column: node.startPosition.column + 1,
        kind: node.isMissing ? "MISSING" : "ERROR",
        text: node.isMissing ? node.type : node.text.slice(0, 80).replace(/\s+/g, " "),
      });
    }
    for (const child of node.children) if (child) visit(child);
  };
  visit(root);
  return problems;
}

/** Files under a folder (recursive), skipping dot folders such as .build. */
export function filesUnder(folder: string, extension: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    if (entry.name.startsWith(".")) continue;
    const path = join(folder, entry.name);
    if (entry.isDirectory()) found.push(...filesUnder(path, extension));
    else if (entry.name.endsWith(extension)) found.push(path);
  }
  return found.sort();
}

export const rel = (path: string) => relative(repoRoot, path).replace(/\\/g, "/");

// ---------------------------------------------------------------------------------------------
// Values
// ---------------------------------------------------------------------------------------------

/** A value only Azure knows (a resource property, uniqueString(), ...), kept as its source text. */
export class Symbolic {
  constructor(readonly text: string) {}
  toString(): string {
    return `\${${this.text}}`;
  }
}

export type Value = string | number | boolean | null | Symbolic | Value[] | { [key: string]: Value };

export function isPlainObject(value: Value): value is { [key: string]: Value } {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Symbolic);
}

export interface ResourceDeclaration {
  symbol: string;
  /** For example Microsoft.ServiceBus/namespaces/queues@2024-01-01. */
  type: string;
  /** The resource type without the API version. */
  typeName: string;
  body: Node;
  /** `[for x in <iterable>: ...]` */
  loop?: { variable: string; iterable: Node };
  /** `= if (<condition>) { ... }` */
  condition?: Node;
  node: Node;
}

export interface ModuleDeclaration {
  symbol: string;
  path: string;
  body: Node;
}

/** One parsed Bicep file with its declarations and an evaluator over them. */
export class BicepFile {
  readonly params = new Map<string, { node: Node; defaultValue?: Node; decorators: Node[] }>();
  readonly vars = new Map<string, Node>();
  readonly resources: ResourceDeclaration[] = [];
  readonly modules: ModuleDeclaration[] = [];
  readonly outputs = new Map<string, Node>();
  private readonly evaluating = new Set<string>();

  constructor(
    readonly path: string,
    readonly source: string,
    readonly root: Node,
  ) {
    let decorators: Node[] = [];
    for (const node of root.namedChildren) {
      if (!node) continue;
      if (node.type === "decorators") {
        decorators = node.namedChildren.filter((n): n is Node => !!n);
        continue;
      }
      const name = node.namedChildren[0]?.text ?? "";
      switch (node.type) {
        case "parameter_declaration": {
          const children = node.namedChildren.filter((n): n is Node => !!n);
          const defaultValue = children.length >= 3 ? children[children.length - 1] : undefined;
          this.params.set(name, { node, defaultValue, decorators });
          break;
        }
        case "variable_declaration":
          this.vars.set(name, node.namedChildren[node.namedChildren.length - 1]!);
          break;
        case "resource_declaration":
          this.resources.push(this.readResource(node));
          break;
        case "module_declaration": {
          const children = node.namedChildren.filter((n): n is Node => !!n);
          this.modules.push({ symbol: name, path: stringLiteral(children[1]!), body: unwrapBody(children[children.length - 1]!).body });
          break;
        }
        case "output_declaration":
          this.outputs.set(name, node.namedChildren[node.namedChildren.length - 1]!);
          break;
      }
      if (node.type !== "comment") decorators = [];
    }
  }

  private readResource(node: Node): ResourceDeclaration {
    const children = node.namedChildren.filter((n): n is Node => !!n);
    const symbol = children[0]!.text;
    const type = stringLiteral(children[1]!);
    const { body, loop, condition } = unwrapBody(children[children.length - 1]!);
    return { symbol, type, typeName: type.split("@")[0]!, body, loop, condition, node };
  }

  resource(symbol: string): ResourceDeclaration | undefined {
    return this.resources.find((r) => r.symbol === symbol);
  }

  resourcesOfType(typeName: string): ResourceDeclaration[] {
    return this.resources.filter((r) => r.typeName.toLowerCase() === typeName.toLowerCase());
  }

  /** Evaluates an expression as far as it can be known before deployment. */
  evaluate(node: Node | undefined | null): Value {
    if (!node) return null;
    switch (node.type) {
      case "string":
        return this.evaluateString(node);
      case "number":
        return Number(node.text);
      case "boolean":
        return node.text === "true";
      case "null":
        return null;
      case "array":
        return node.namedChildren.filter((n): n is Node => !!n && n.type !== "comment").map((n) => this.evaluate(n));
      case "object": {
        const result: { [key: string]: Value } = {};
        for (const property of objectProperties(node)) result[property.key] = this.evaluate(property.value);
        return result;
      }
      case "parenthesized_expression":
        return this.evaluate(node.namedChildren[0]);
      case "identifier":
        return this.evaluateIdentifier(node.text);
      case "member_expression": {
        const target = this.evaluate(node.childForFieldName("object"));
        const property = node.childForFieldName("property")?.text ?? "";
        if (isPlainObject(target) && property in target) return target[property]!;
        return new Symbolic(node.text);
      }
      case "call_expression":
        return this.evaluateCall(node);
      default:
        return new Symbolic(node.text);
    }
  }

  private evaluateIdentifier(name: string): Value {
    if (this.evaluating.has(name)) return new Symbolic(name);
    const variable = this.vars.get(name);
    const parameter = this.params.get(name);
    const target = variable ?? parameter?.defaultValue;
    if (!target) return new Symbolic(name);
    this.evaluating.add(name);
    try {
      const value = this.evaluate(target);
      // A parameter's default is only what the template falls back to.
      return value;
    } finally {
      this.evaluating.delete(name);
    }
  }

  private evaluateString(node: Node): string {
    let text = "";
    for (const part of node.namedChildren) {
      if (!part) continue;
      if (part.type === "string_content") text += part.text;
      else if (part.type === "escape_sequence") text += decodeEscape(part.text);
      else if (part.type === "interpolation") {
        const value = this.evaluate(part.namedChildren[0]);
        text += typeof value === "string" || typeof value === "number" ? String(value) : `\${${part.namedChildren[0]?.text ?? ""}}`;
      }
    }
    return text;
  }

  private evaluateCall(node: Node): Value {
    const name = node.childForFieldName("function")?.text ?? "";
    const args = (node.childForFieldName("arguments")?.namedChildren ?? []).filter((n): n is Node => !!n && n.type !== "comment");
    const values = () => args.map((a) => this.evaluate(a));
    switch (name) {
      case "union": {
        const parts = values();
        if (parts.every(isPlainObject)) return Object.assign({}, ...parts);
        break;
      }
      case "concat": {
        const parts = values();
        if (parts.every(Array.isArray)) return parts.flat();
        if (parts.every((p) => typeof p === "string")) return parts.join("");
        break;
      }
      case "string": {
        const [value] = values();
        if (typeof value === "number" || typeof value === "boolean") return String(value);
        if (typeof value === "string") return value;
        break;
      }
    }
    return new Symbolic(node.text);
  }

  /**
   * The keys an object-valued expression may have: object literals, variables, union(), ternaries
   * (a key in only one branch is conditional) and toObject() (keys only known at deployment).
   */
  objectKeys(node: Node | undefined | null, conditional = false): ObjectKeys {
    const result: ObjectKeys = { keys: new Map(), dynamic: [] };
    if (!node) return result;
    const merge = (other: ObjectKeys) => {
      for (const [key, entry] of other.keys) result.keys.set(key, entry);
      result.dynamic.push(...other.dynamic);
    };
    switch (node.type) {
      case "object":
        for (const property of objectProperties(node)) result.keys.set(property.key, { conditional, values: [property.value] });
        return result;
      case "parenthesized_expression":
        return this.objectKeys(node.namedChildren[0], conditional);
      case "identifier": {
        const variable = this.vars.get(node.text);
        if (!variable) throw new Error(`${rel(this.path)}: ${node.text} is not a variable holding an object`);
        return this.objectKeys(variable, conditional);
      }
      case "ternary_expression": {
        const a = this.objectKeys(node.childForFieldName("consequence"), conditional);
        const b = this.objectKeys(node.childForFieldName("alternative"), conditional);
        for (const [key, entry] of a.keys) {
          const other = b.keys.get(key);
          result.keys.set(key, { conditional: conditional || !other || entry.conditional || other.conditional, values: [...entry.values, ...(other?.values ?? [])] });
        }
        for (const [key, entry] of b.keys) if (!a.keys.has(key)) result.keys.set(key, { ...entry, conditional: true });
        result.dynamic.push(...a.dynamic, ...b.dynamic);
        return result;
      }
      case "call_expression": {
        const name = node.childForFieldName("function")?.text ?? "";
        const args = (node.childForFieldName("arguments")?.namedChildren ?? []).filter((n): n is Node => !!n && n.type !== "comment");
        if (name === "union") {
          for (const arg of args) merge(this.objectKeys(arg, conditional));
          return result;
        }
        if (name === "toObject") {
          result.dynamic.push({ source: node.text, keyNode: args[1], valueNode: args[2] });
          return result;
        }
        break;
      }
    }
    throw new Error(`${rel(this.path)}:${node.startPosition.row + 1}: cannot tell the keys of ${node.text.slice(0, 60)}`);
  }

  /** The value node of `key` in an object literal (resolving a variable). */
  property(objectNode: Node | undefined | null, ...path: string[]): Node | undefined {
    let current: Node | undefined | null = objectNode;
    for (const key of path) {
      if (current?.type === "identifier" && this.vars.has(current.text)) current = this.vars.get(current.text);
      if (!current || current.type !== "object") return undefined;
      current = objectProperties(current).find((p) => p.key === key)?.value;
    }
    return current ?? undefined;
  }

  line(node: Node): string {
    return `${rel(this.path)}:${node.startPosition.row + 1}`;
  }
}

export interface ObjectKeys {
  keys: Map<string, { conditional: boolean; values: Node[] }>;
  /** Keys computed at deployment (toObject over a parameter). */
  dynamic: { source: string; keyNode?: Node; valueNode?: Node }[];
}

export function objectProperties(objectNode: Node): { key: string; value: Node; node: Node }[] {
  const properties: { key: string; value: Node; node: Node }[] = [];
  for (const child of objectNode.namedChildren) {
    if (!child || child.type !== "object_property") continue;
    const [keyNode, ...rest] = child.namedChildren.filter((n): n is Node => !!n && n.type !== "comment");
    if (!keyNode || rest.length === 0) continue;
    const key = keyNode.type === "string" ? stringLiteral(keyNode) : keyNode.text;
    properties.push({ key, value: rest[rest.length - 1]!, node: child });
  }
  return properties;
}

function unwrapBody(node: Node): { body: Node; loop?: { variable: string; iterable: Node }; condition?: Node } {
  if (node.type === "for_statement") {
    const children = node.namedChildren.filter((n): n is Node => !!n);
    const body = node.childForFieldName("body") ?? children[children.length - 1]!;
    return { body, loop: { variable: node.childForFieldName("initializer")?.text ?? children[0]!.text, iterable: children[1]! } };
  }
  if (node.type === "if_statement") {
    const children = node.namedChildren.filter((n): n is Node => !!n);
    return { body: children[children.length - 1]!, condition: children[0]! };
  }
  return { body: node };
}

function stringLiteral(node: Node): string {
  return node.namedChildren
    .filter((n): n is Node => !!n)
    .map((n) => (n.type === "escape_sequence" ? decodeEscape(n.text) : n.text))
    .join("");
}

function decodeEscape(text: string): string {
  const map: Record<string, string> = { "\\n": "\n", "\\r": "\r", "\\t": "\t", "\\\\": "\\", "\\'": "'", "\\$": "$" };
  return map[text] ?? text;
}

const cache = new Map<string, Promise<BicepFile>>();

export function loadBicep(path: string): Promise<BicepFile> {
  const absolute = resolve(path);
  let file = cache.get(absolute);
  if (!file) {
    file = (async () => {
      const source = readFileSync(absolute, "utf8");
      const parser = await grammarParser("tree-sitter-bicep");
      const tree = parser.parse(source);
      if (!tree) throw new Error(`tree-sitter could not parse ${rel(absolute)}`);
      return new BicepFile(absolute, source, tree.rootNode);
    })();
    cache.set(absolute, file);
  }
  return file;
}

/** main.bicep, where the app's resources, settings and role assignments are declared. */
export const mainBicepPath = join(infraDir, "main.bicep");

/** ISO 8601 duration (PnDTnHnMnS) to milliseconds. */
export function isoDurationMs(duration: string): number {
  const match = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(duration);
  if (!match || duration === "P" || duration.endsWith("T")) throw new Error(`not an ISO 8601 duration: ${duration}`);
  const [, d = "0", h = "0", m = "0", s = "0"] = match;
  return ((Number(d) * 24 + Number(h)) * 60 + Number(m)) * 60_000 + Number(s) * 1000;
}

/** host.json TimeSpan (hh:mm:ss or d.hh:mm:ss) to milliseconds. */
export function timeSpanMs(value: string): number {
  const match = /^(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})(?:\.\d+)?$/.exec(value);
  if (!match) throw new Error(`not a TimeSpan: ${value}`);
  const [, d = "0", h, m, s] = match;
  return (((Number(d) * 24 + Number(h)) * 60 + Number(m)) * 60 + Number(s)) * 1000;
}
