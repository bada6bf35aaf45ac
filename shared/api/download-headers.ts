/**
 * Headers for a download of stored content (an email's attachment): the content type, only if it
 * is a well-formed media type, and a Content-Disposition that always says `attachment` (a stored
 * HTML or SVG file is never rendered by a browser on the API's origin) with the file's name as
 * RFC 6266 and RFC 5987 have it: `filename*=UTF-8''…` percent-encoded, and a plain-ASCII
 * `filename="…"` for old clients. Whatever the name holds (quotes, CR/LF, path separators, lone
 * surrogates), neither parameter can end the header or add another.
 */

const fallbackName = "attachment";

/** Type and subtype as RFC 9110 tokens; parameters dropped (a charset is not needed to download). */
const mediaType = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+\/[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

export function safeContentType(contentType: string | undefined): string {
  const essence = (contentType ?? "").split(";")[0]!.trim();
  return mediaType.test(essence) ? essence.toLowerCase() : "application/octet-stream";
}

/** The name as a file name: no path, no control characters, no lone surrogates. */
function cleanName(name: string): string {
  const cleaned = name
    .replace(/\p{Cs}/gu, "\uFFFD")
    .replace(/[\p{Cc}\u2028\u2029]/gu, "")
    .replace(/[/\\]/g, "_")
    .trim();
  return cleaned === "" || cleaned === "." || cleaned === ".." ? fallbackName : cleaned;
}

/** RFC 5987 ext-value: UTF-8, percent-encoding everything outside attr-char. */
function extValue(name: string): string {
  return `UTF-8''${encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`;
}

/** The ASCII fallback: printable ASCII only, without the quote, backslash and percent a quoted-string would need escaped or clients misread. */
function asciiFallback(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, "_").replace(/["\\%]/g, "_");
  return ascii.trim() === "" ? fallbackName : ascii;
}

export function attachmentDisposition(name: string): string {
  const cleaned = cleanName(name);
  return `attachment; filename="${asciiFallback(cleaned)}"; filename*=${extValue(cleaned)}`;
}
