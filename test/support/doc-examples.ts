/**
 * The shell examples of README.md and docs/*.md as a script, and the answers the text shows.
 *
 * An example is a fenced `sh` block that calls the HTTP API with curl (`http://127.0.0.1:7071` or
 * `$API`), or an inline code span that starts with `curl `. Other blocks (npm start itself, az,
 * azd, settings for a real tenant) are not examples of the API. A comment `# → …` after commands
 * (continued on the following `#` lines) is the answer the text shows for the last JSON values
 * they printed, written as JSON where `"..."` inside a string stands for any text and a `...` entry
 * in an object for any further keys (`{ ... }` is any object).
 */
import { readFileSync } from "node:fs";

export interface ExpectedAnswer {
  id: number;
  /** Where the text shows it, e.g. README.md:176. */
  where: string;
  text: string;
}

export interface DocScript {
  file: string;
  markdown: string;
  script: string;
  expected: ExpectedAnswer[];
  examples: number;
}

const apiCall = /curl\b[^\n]*(127\.0\.0\.1:7071|\$API)/;

export function docScript(file: string, label: string): DocScript {
  const markdown = readFileSync(file, "utf8");
  const lines: string[] = [];
  const expected: ExpectedAnswer[] = [];
  let examples = 0;
  for (const example of examplesIn(markdown)) {
    if (example.kind === "block" && !apiCall.test(example.text)) continue;
    if (example.kind === "inline" && !example.text.startsWith("curl ")) continue;
    examples++;
    lines.push(`echo; echo "@@example ${label}:${example.line}"`);
    const source = example.text.split("\n");
    for (let i = 0; i < source.length; i++) {
      const arrow = /^\s*# → (.*)$/.exec(source[i]!);
      if (!arrow) {
        lines.push(source[i]!);
        continue;
      }
      let text = arrow[1]!;
      while (i + 1 < source.length && /^\s*#\s/.test(source[i + 1]!) && !/^\s*# →/.test(source[i + 1]!)) text += ` ${source[++i]!.replace(/^\s*#\s*/, "")}`;
      const answer = { id: expected.length, where: `${label}:${example.line + i}`, text };
      expected.push(answer);
      lines.push(`echo; echo "@@expect ${answer.id}"`);
    }
  }
  return { file, markdown, script: lines.join("\n"), expected, examples };
}

interface Example {
  kind: "block" | "inline";
  /** 1-based line of its first line. */
  line: number;
  text: string;
}

/**
 * Fenced shell blocks (indented ones too, as in lists) and inline code spans outside fences. Only
 * what these docs use of Markdown: no dependency is worth it for that.
 */
function examplesIn(markdown: string): Example[] {
  const examples: Example[] = [];
  const lines = markdown.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const fence = /^(\s*)```(\w*)\s*$/.exec(lines[i]!);
    if (fence) {
      const [, indent, language] = fence;
      const body: string[] = [];
      for (i++; i < lines.length && !/^\s*```\s*$/.test(lines[i]!); i++) body.push(lines[i]!.startsWith(indent!) ? lines[i]!.slice(indent!.length) : lines[i]!);
      const start = i - body.length + 1;
      if (["sh", "bash", "shell"].includes(language!)) examples.push({ kind: "block", line: start, text: body.join("\n") });
      continue;
    }
    for (const span of lines[i]!.matchAll(/`([^`]+)`/g)) examples.push({ kind: "inline", line: i + 1, text: span[1]! });
  }
  return examples;
}

/** The JSON values in what a command printed (jq prints one per value, pretty or compact). */
export function jsonValues(text: string): unknown[] {
  const values: unknown[] = [];
  let i = 0;
  while (i < text.length) {
    if (/\s/.test(text[i]!)) {
      i++;
      continue;
    }
    const start = i;
    if (text[i] === "{" || text[i] === "[") {
      let depth = 0;
      let inString = false;
      for (; i < text.length; i++) {
        const c = text[i]!;
        if (inString) {
          if (c === "\\") i++;
          else if (c === '"') inString = false;
        } else if (c === '"') inString = true;
        else if (c === "{" || c === "[") depth++;
        else if (c === "}" || c === "]") {
          depth--;
          if (depth === 0) break;
        }
      }
      i++;
    } else if (text[i] === '"') {
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === "\\") i++;
      i++;
    } else {
      while (i < text.length && !/\s/.test(text[i]!)) i++;
    }
    const piece = text.slice(start, i);
    try {
      values.push(JSON.parse(piece));
    } catch {
      values.push(piece);
    }
  }
  return values;
}

const anyKeys = "@@any keys";

/** The answer the text shows, as JSON values with the "any" markers. */
export function parseExpected(text: string): unknown[] {
  const json = text
    .replace(/\{\s*\.\.\.\s*\}/g, `{"${anyKeys}":true}`)
    .replace(/,\s*\.\.\.\s*\}/g, `, "${anyKeys}":true}`);
  return jsonValues(json);
}

/** Where `actual` differs from what the text shows, or undefined when it answers as shown. */
export function differs(expected: unknown, actual: unknown, at = "$"): string | undefined {
  if (typeof expected === "string") {
    if (typeof actual !== "string") return `${at}: expected a string like ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`;
    const pattern = new RegExp(`^${expected.split("...").map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`, "s");
    return pattern.test(actual) ? undefined : `${at}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) return `${at}: expected ${expected.length} items, got ${JSON.stringify(actual)}`;
    for (let i = 0; i < expected.length; i++) {
      const difference = differs(expected[i], actual[i], `${at}[${i}]`);
      if (difference) return difference;
    }
    return undefined;
  }
  if (expected !== null && typeof expected === "object") {
    if (actual === null || typeof actual !== "object" || Array.isArray(actual)) return `${at}: expected an object, got ${JSON.stringify(actual)}`;
    const shown = expected as Record<string, unknown>;
    const got = actual as Record<string, unknown>;
    for (const key of Object.keys(shown)) {
      if (key === anyKeys) continue;
      if (!(key in got)) return `${at}.${key}: missing`;
      const difference = differs(shown[key], got[key], `${at}.${key}`);
      if (difference) return difference;
    }
    if (!(anyKeys in shown)) {
      const extra = Object.keys(got).filter((key) => !(key in shown));
      if (extra.length) return `${at}: not shown in the text: ${extra.join(", ")}`;
    }
    return undefined;
  }
  return Object.is(expected, actual) ? undefined : `${at}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`;
}
