/**
 * Checks JSON against Microsoft's Graph v1.0 metadata (the extract in graph-v1.0-mail-types.json),
 * so neither the simulator nor the product's fixtures can drift into properties or value shapes
 * that the real service does not have. Inheritance (`base`) is resolved; navigation properties
 * count as properties of the type (they appear in JSON when expanded).
 */
import { readFileSync } from "node:fs";

interface PropertyDefinition {
  type: string;
  nullable: boolean;
}

interface TypeDefinition {
  base: string | null;
  kind: string;
  abstract?: boolean;
  properties: Record<string, PropertyDefinition>;
  navigation: Record<string, string>;
}

interface Metadata {
  types: Record<string, TypeDefinition>;
  enums: Record<string, string[]>;
}

const metadata: Metadata = JSON.parse(readFileSync(new URL("./graph-v1.0-mail-types.json", import.meta.url), "utf8"));

export interface ResolvedType {
  name: string;
  properties: Map<string, PropertyDefinition>;
  /** Navigation properties; treated as nullable when present. */
  navigation: Map<string, string>;
}

/** "message", "graph.message", "microsoft.graph.message" and "#microsoft.graph.message" are the same. */
export function shortTypeName(name: string): string {
  return name.replace(/^#/, "").replace(/^microsoft\.graph\./, "").replace(/^graph\./, "");
}

const resolved = new Map<string, ResolvedType>();

/**
 * Open types take properties beyond the declared ones (the extract does not record OpenType).
 * resourceData: "an open type"; for Outlook resources it carries the changed item's `id` (docs,
 * resourceData resource type).
 */
const openTypes = new Set(["resourceData"]);

export function resolveType(typeName: string): ResolvedType {
  const name = shortTypeName(typeName);
  const cached = resolved.get(name);
  if (cached) return cached;
  const definition = metadata.types[name];
  if (!definition) throw new Error(`Type '${typeName}' is not in the Graph metadata extract`);
  const base = definition.base ? resolveType(definition.base) : undefined;
  const type: ResolvedType = {
    name,
    properties: new Map([...(base?.properties ?? []), ...Object.entries(definition.properties)]),
    navigation: new Map([...(base?.navigation ?? []), ...Object.entries(definition.navigation)]),
  };
  resolved.set(name, type);
  return type;
}

/** Whether `derived` is `baseName` or inherits from it. */
function isDerivedFrom(derived: string, baseName: string): boolean {
  for (let current: string | null = shortTypeName(derived); current; current = metadata.types[current]?.base ?? null) {
    if (current === baseName) return true;
  }
  return false;
}

/** Names that are neither structural nor navigation properties of the type. */
export function propertyViolations(typeName: string, names: string[], options: { allowNavigation?: boolean } = {}): string[] {
  const type = resolveType(typeName);
  const allowNavigation = options.allowNavigation ?? true;
  return names
    .filter((name) => !type.properties.has(name) && !(allowNavigation && type.navigation.has(name)))
    .map((name) => `${type.name}.${name} is not a property of graph.${type.name}`);
}

const isoDateTimeOffset = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})$/;
const base64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const guid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const primitiveChecks: Record<string, (value: unknown) => boolean> = {
  "Edm.String": (v) => typeof v === "string",
  "Edm.Boolean": (v) => typeof v === "boolean",
  "Edm.DateTimeOffset": (v) => typeof v === "string" && isoDateTimeOffset.test(v) && !Number.isNaN(Date.parse(v)),
  "Edm.Date": (v) => typeof v === "string" && /^\d{4}-\d{2}-\d{2}$/.test(v),
  "Edm.TimeOfDay": (v) => typeof v === "string" && /^\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(v),
  "Edm.Duration": (v) => typeof v === "string" && /^-?P(?=\d|T\d)(\d+D)?(T(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$/.test(v),
  "Edm.Guid": (v) => typeof v === "string" && guid.test(v),
  "Edm.Binary": (v) => typeof v === "string" && base64.test(v),
  "Edm.Byte": (v) => Number.isInteger(v),
  "Edm.Int16": (v) => Number.isInteger(v),
  "Edm.Int32": (v) => Number.isInteger(v) && (v as number) >= -(2 ** 31) && (v as number) < 2 ** 31,
  "Edm.Int64": (v) => Number.isInteger(v),
  "Edm.Double": (v) => typeof v === "number",
  "Edm.Single": (v) => typeof v === "number",
  "Edm.Decimal": (v) => typeof v === "number",
};

function valueViolations(typeRef: string, value: unknown, nullable: boolean, path: string): string[] {
  if (value === null) return nullable ? [] : [`${path} is null but not nullable`];
  const collection = /^Collection\((.+)\)$/.exec(typeRef);
  if (collection) {
    if (!Array.isArray(value)) return [`${path} should be an array of ${collection[1]}`];
    return value.flatMap((item, i) => valueViolations(collection[1]!, item, false, `${path}[${i}]`));
  }
  const primitive = primitiveChecks[typeRef];
  if (primitive) return primitive(value) ? [] : [`${path} = ${JSON.stringify(value)} is not a valid ${typeRef}`];
  if (typeRef.startsWith("Edm.")) return [`${path} has unsupported type ${typeRef}`];
  const name = shortTypeName(typeRef);
  const members = metadata.enums[name];
  if (members) {
    return typeof value === "string" && members.includes(value)
      ? []
      : [`${path} = ${JSON.stringify(value)} is not a member of enum graph.${name}`];
  }
  if (!metadata.types[name]) return [`${path} has type ${typeRef}, which is not in the metadata extract`];
  if (typeof value !== "object" || Array.isArray(value)) return [`${path} should be an object of graph.${name}`];
  return shapeViolations(name, value, path);
}

/**
 * Every emitted property must exist on the type and its value must fit the EDM type. Instance
 * annotations ("@odata.etag", "@removed", "prop@odata.type", …) are not properties and are skipped;
 * an "@odata.type" naming a derived type switches validation to that type.
 */
export function shapeViolations(typeName: string, json: unknown, path = shortTypeName(typeName)): string[] {
  if (typeof json !== "object" || json === null || Array.isArray(json)) return [`${path} should be an object`];
  const record = json as Record<string, unknown>;
  let type = resolveType(typeName);
  const declared = record["@odata.type"];
  // In resourceData, "@odata.type" names the changed item's type (documented), not a derived type.
  if (typeof declared === "string" && !openTypes.has(type.name)) {
    const derived = shortTypeName(declared);
    if (!metadata.types[derived] || !isDerivedFrom(derived, type.name)) {
      return [`${path} declares @odata.type ${declared}, which is not graph.${type.name} or derived from it`];
    }
    type = resolveType(derived);
  }
  const violations: string[] = [];
  for (const [key, value] of Object.entries(record)) {
    if (key.includes("@")) continue;
    const property = type.properties.get(key);
    if (property) {
      violations.push(...valueViolations(property.type, value, property.nullable, `${path}.${key}`));
      continue;
    }
    const navigation = type.navigation.get(key);
    if (navigation) {
      violations.push(...valueViolations(navigation, value, true, `${path}.${key}`));
      continue;
    }
    if (!openTypes.has(type.name)) violations.push(`${path}.${key} is not a property of graph.${type.name}`);
  }
  return violations;
}
