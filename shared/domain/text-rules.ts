/**
 * What text the CRM may store in a name, subject, body or any other text field: Unicode without
 * control characters. Tab, line feed and carriage return are the only controls a text field holds
 * (bodies and addresses have line breaks, a CRLF as often as an LF); NUL, escape and the other C0
 * and C1 controls are never text a person typed: they come from broken encodings or binary pasted
 * into a field. A lone UTF-16 surrogate is not a character at all and has no UTF-8 form.
 */

/**
 * The Cc controls but tab (U+0009), line feed (U+000A) and carriage return (U+000D); a high surrogate
 * not followed by a low one; a low surrogate not preceded by a high one.
 */
const notText = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why the text is not acceptable, or undefined when it is. */
export function textProblem(value: string): string | undefined {
  const found = notText.exec(value);
  if (!found) return undefined;
  const code = `U+${found[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}`;
  // Counted in characters (a surrogate pair is one), as the caller sees the text.
  const at = [...value.slice(0, found.index)].length + 1;
  return found[0] >= "\uD800"
    ? `contains a lone surrogate ${code} at character ${at}: text must be valid Unicode`
    : `contains the control character ${code} at character ${at}: only tab, line feed and carriage return are allowed`;
}
