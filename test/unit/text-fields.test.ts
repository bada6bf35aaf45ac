/** The text rule (shared/domain/text-rules.ts), and that every string field of every request body carries it. */
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import * as actSchemas from "../../shared/api/act-schemas.js";
import * as adminSchemas from "../../shared/api/admin-schemas.js";
import { announceAttachment, createEmailBody, sendBody } from "../../shared/api/crm-email-api.js";
import { plainText } from "../../shared/api/text-fields.js";
import { textProblem } from "../../shared/domain/text-rules.js";

describe("textProblem", () => {
  it.each([
    ["Quarterly review", undefined],
    ["", undefined],
    ["Line one\nline two\r\nthree\tcolumns", undefined],
    ["Müller – Straße 5 ✓ 日本 😀", undefined],
    ["\u0000", /control character U\+0000 at character 1/],
    ["Pat\u0007", /control character U\+0007 at character 4/],
    ["😀\u001b[31m", /control character U\+001B at character 2/],
    ["\u000b", /U\+000B/],
    ["\u000c", /U\+000C/],
    ["x\u007f", /U\+007F/],
    ["x\u0085", /U\+0085/],
    ["\u009f", /U\+009F/],
    ["\uD800", /lone surrogate U\+D800 at character 1/],
    ["a\uDC00b", /lone surrogate U\+DC00 at character 2/],
    ["\uDE00\uD83D", /lone surrogate U\+DE00/],
    ["ok\uD83D", /lone surrogate U\+D83D at character 3/],
  ])("%j → %s", (value, expected) => {
    if (expected === undefined) expect(textProblem(value)).toBeUndefined();
    else expect(textProblem(value)).toMatch(expected);
  });
});

/** Every string schema reachable from a schema, with its path (zod 4 definitions). */
function strings(schema: z.core.$ZodType, path: string, found: { path: string; schema: z.core.$ZodType }[] = []) {
  const def = schema._zod.def as unknown as Record<string, any>;
  switch (def.type) {
    case "string":
      found.push({ path, schema });
      break;
    case "object":
      for (const [key, value] of Object.entries(def.shape as Record<string, z.core.$ZodType>)) strings(value, `${path}.${key}`, found);
      break;
    case "array":
      strings(def.element, `${path}[]`, found);
      break;
    case "union":
      def.options.forEach((option: z.core.$ZodType, i: number) => strings(option, `${path}|${i}`, found));
      break;
    case "pipe":
      strings(def.in, path, found);
      strings(def.out, path, found);
      break;
    case "optional":
    case "nullable":
    case "default":
    case "prefault":
    case "readonly":
      strings(def.innerType, path, found);
      break;
  }
  return found;
}

const bodies: Record<string, z.core.$ZodType> = {
  ...Object.fromEntries(Object.entries(adminSchemas).filter(([name]) => name.endsWith("Body"))),
  ...Object.fromEntries(Object.entries(actSchemas.recordBodies).map(([type, schema]) => [`${type}Body`, schema])),
  ...Object.fromEntries(Object.entries(actSchemas.criteriaBodies).map(([type, schema]) => [`${type}Criteria`, schema])),
  createEmailBody,
  sendBody,
  announceAttachment,
};

describe("request bodies", () => {
  const fields = Object.entries(bodies).flatMap(([name, schema]) => strings(schema, name));

  it("have string fields to check (the walk reaches them)", () => {
    expect(fields.map((f) => f.path)).toEqual(expect.arrayContaining(["profileBody.name", "contactBody.firstName", "createEmailBody.subject", "appointmentBody.body.content"]));
  });

  it("check every free-text field with the text rule", () => {
    // Formats zod checks whole (email, uuid, ISO date-time) cannot hold a control character.
    const free = fields.filter((f) => !(f.schema._zod.def as { format?: string }).format);
    const unchecked = free.filter((f) => !((f.schema._zod.def as { checks?: unknown[] }).checks ?? []).includes(plainText)).map((f) => f.path);
    expect(unchecked).toEqual([]);
  });
});
