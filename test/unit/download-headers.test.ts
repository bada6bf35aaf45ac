import { describe, expect, it } from "vitest";
import { attachmentDisposition, safeContentType } from "../../shared/api/download-headers.js";

describe("Content-Disposition for a stored attachment", () => {
  it.each([
    ["quote.pdf", `attachment; filename="quote.pdf"; filename*=UTF-8''quote.pdf`],
    ["Angebot für Müller.pdf", `attachment; filename="Angebot f_r M_ller.pdf"; filename*=UTF-8''Angebot%20f%C3%BCr%20M%C3%BCller.pdf`],
    ["報告書.docx", `attachment; filename="___.docx"; filename*=UTF-8''%E5%A0%B1%E5%91%8A%E6%9B%B8.docx`],
    ['a"b\\c.txt', `attachment; filename="a_b_c.txt"; filename*=UTF-8''a%22b_c.txt`],
    ["it's (1)*.txt", `attachment; filename="it's (1)*.txt"; filename*=UTF-8''it%27s%20%281%29%2A.txt`],
    ["100%.txt", `attachment; filename="100_.txt"; filename*=UTF-8''100%25.txt`],
    ["../../etc/passwd", `attachment; filename=".._.._etc_passwd"; filename*=UTF-8''.._.._etc_passwd`],
    ["", `attachment; filename="attachment"; filename*=UTF-8''attachment`],
    ["..", `attachment; filename="attachment"; filename*=UTF-8''attachment`],
  ])("%j", (name, expected) => {
    expect(attachmentDisposition(name)).toBe(expected);
  });

  it("cannot be broken out of: CR/LF, NUL, quotes and lone surrogates stay inside the parameters", () => {
    for (const hostile of ['x.txt"\r\nSet-Cookie: a=b', "x\u0000.txt", "\ud800x.txt", 'evil"; filename="ok.exe', "\u2028x.txt"]) {
      const header = attachmentDisposition(hostile);
      expect(header).toMatch(/^attachment; filename="[\x20-\x7e]*"; filename\*=UTF-8''[A-Za-z0-9!#$&+\-.^_`|~%]*$/);
      expect(header.match(/"/g)).toHaveLength(2);
      expect(() => new Headers({ "Content-Disposition": header })).not.toThrow();
    }
  });
});

describe("Content-Type for a stored attachment", () => {
  it.each([
    ["application/pdf", "application/pdf"],
    ["Image/PNG", "image/png"],
    ["text/html; charset=utf-8", "text/html"],
    ["text/plain\r\nX-Evil: 1", "application/octet-stream"],
    ["", "application/octet-stream"],
    [undefined, "application/octet-stream"],
    ["not a type", "application/octet-stream"],
  ])("%j → %s", (given, expected) => {
    expect(safeContentType(given)).toBe(expected);
  });
});
