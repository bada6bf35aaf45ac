/**
 * The text fields of the admin and records API: every string a request may carry is `text()`, so
 * the one rule of shared/domain/text-rules.ts (no control characters but tab and line breaks, no
 * lone surrogates) holds for all of them, and a 400 names the field. Formats zod checks whole
 * (z.email(), z.uuid(), z.iso.datetime()) admit no control character and need no more.
 */
import { z } from "zod";
import { textProblem } from "../domain/text-rules.js";

export const plainText = z.superRefine((value: string, ctx) => {
  const problem = textProblem(value);
  if (problem) ctx.addIssue({ code: "custom", message: problem, input: value });
});

/** A string field of a request. */
export const text = () => z.string().check(plainText);
