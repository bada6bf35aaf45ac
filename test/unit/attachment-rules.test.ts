import { describe, expect, it } from "vitest";
import { attachmentKey, attachmentKind, blockedExtensionOf, fileExclusion, mayHaveAttachments } from "../../shared/domain/attachments/attachment-rules.js";
import {
  attachmentSettingsProblems,
  defaultAttachmentSettings,
  defaultBlockedFileExtensions,
  normalizeExtension,
  readStoredAttachmentSettings,
} from "../../shared/domain/attachments/attachment-settings.js";

const MB = 1024 * 1024;

describe("attachment kinds", () => {
  it.each([
    ["#microsoft.graph.fileAttachment", "file"],
    ["#microsoft.graph.itemAttachment", "item"],
    ["#microsoft.graph.referenceAttachment", "reference"],
    ["microsoft.graph.ItemAttachment", "item"],
    [undefined, "file"],
  ] as const)("%s → %s", (type, kind) => {
    expect(attachmentKind(type)).toBe(kind);
  });
});

describe("blocked file extensions", () => {
  it("are Dataverse's documented default list (executables, scripts, svg)", () => {
    // As "Files and images overview › Block certain types of files" (Dataverse) prints the default blockedattachments.
    const documented =
      "ade;adp;app;asa;ashx;asmx;asp;bas;bat;cdx;cer;chm;class;cmd;com;config;cpl;crt;csh;dll;exe;fxp;hlp;hta;htr;htw;ida;idc;idq;inf;ins;isp;its;jar;js;jse;ksh;lnk;mad;maf;mag;mam;maq;mar;mas;mat;mau;mav;maw;mda;mdb;mde;mdt;mdw;mdz;msc;msh;msh1;msh1xml;msh2;msh2xml;mshxml;msi;msp;mst;ops;pcd;pif;prf;prg;printer;pst;reg;rem;scf;scr;sct;shb;shs;shtm;shtml;soap;stm;tmp;url;vb;vbe;vbs;vsmacros;vss;vst;vsw;ws;wsc;wsf;wsh;svg";
    expect(defaultBlockedFileExtensions.join(";")).toBe(documented);
    for (const extension of ["exe", "js", "jar", "msi", "vbs", "svg", "tmp", "msh2xml"]) expect(defaultBlockedFileExtensions).toContain(extension);
    expect(defaultBlockedFileExtensions).not.toContain("pdf");
    expect(new Set(defaultBlockedFileExtensions).size).toBe(defaultBlockedFileExtensions.length);
  });

  it.each([
    ["setup.exe", "exe"],
    ["SETUP.EXE", "exe"],
    ["setup.exe. ", "exe"],
    ["invoice.pdf.exe", "exe"],
    ["drawing.svg", "svg"],
    ["invoice.pdf", undefined],
    ["exe", undefined],
    ["notes.executable", undefined],
    ["archive.tar.gz", undefined],
  ])("%j → %s", (name, blocked) => {
    expect(blockedExtensionOf(name, defaultBlockedFileExtensions)).toBe(blocked);
  });

  it("an entry with a dot matches the name's end", () => {
    expect(blockedExtensionOf("backup.TAR.GZ", ["tar.gz"])).toBe("tar.gz");
    expect(blockedExtensionOf("backup.gz", ["tar.gz"])).toBeUndefined();
  });
});

describe("which files are left out", () => {
  const settings = { blockedFileExtensions: ["exe"], maxFileSizeBytes: 5 * MB };
  it.each([
    [{ name: "quote.pdf", size: 5 * MB }, undefined],
    [{ name: "quote.pdf", size: 5 * MB + 1 }, "tooLarge"],
    [{ name: "tool.exe", size: 10 }, "blockedExtension"],
    [{ name: "tool.exe", size: 50 * MB }, "blockedExtension"],
  ])("%j → %s", (file, reason) => {
    expect(fileExclusion(file, settings)?.reason).toBe(reason);
  });
});

describe("attachment identity across mailbox copies", () => {
  const meta = { kind: "file" as const, name: "quote.pdf", size: 1000, contentId: undefined };
  it("is the same for the same position and metadata, and URL-safe", () => {
    expect(attachmentKey(0, meta)).toBe(attachmentKey(0, { ...meta }));
    expect(attachmentKey(0, meta)).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });
  it.each([
    ["position", attachmentKey(1, meta)],
    ["name", attachmentKey(0, { ...meta, name: "quote2.pdf" })],
    ["size", attachmentKey(0, { ...meta, size: 1001 })],
    ["content id", attachmentKey(0, { ...meta, contentId: "x@y" })],
    ["kind", attachmentKey(0, { ...meta, kind: "item" as const })],
  ])("differs by %s", (_what, other) => {
    expect(other).not.toBe(attachmentKey(0, meta));
  });
});

describe("whether a message may have attachments worth listing", () => {
  it.each([
    [{ hasAttachments: true }, true],
    [{ hasAttachments: false }, false],
    [{ hasAttachments: false, body: { content: '<img src="cid:logo@x">' } }, true],
    [{ hasAttachments: false, body: { content: "the acid: test" } }, false],
    [{}, true],
  ])("%j → %s", (message, may) => {
    expect(mayHaveAttachments(message)).toBe(may);
  });
});

describe("attachment settings", () => {
  it("default to Dynamics 365's: the blocked list and 5 MB", () => {
    expect(defaultAttachmentSettings).toEqual({ blockedFileExtensions: [...defaultBlockedFileExtensions], maxFileSizeBytes: 5 * MB });
  });

  it.each([
    [{ blockedFileExtensions: [], maxFileSizeBytes: 128 * MB }, []],
    [{ blockedFileExtensions: [".EXE", "tar.gz", "c++"], maxFileSizeBytes: 1 }, []],
    [{ blockedFileExtensions: [], maxFileSizeBytes: 128 * MB + 1 }, ["maxFileSizeBytes"]],
    [{ blockedFileExtensions: [], maxFileSizeBytes: 1.5 }, ["maxFileSizeBytes"]],
    [{ blockedFileExtensions: ["exe", ""], maxFileSizeBytes: MB }, ["blockedFileExtensions.1"]],
    [{ blockedFileExtensions: ["a;b", "a b", "a/b", "x".repeat(33)], maxFileSizeBytes: MB }, ["blockedFileExtensions.0", "blockedFileExtensions.1", "blockedFileExtensions.2", "blockedFileExtensions.3"]],
  ])("%j → problems with %j", (settings, fields) => {
    expect(attachmentSettingsProblems(settings).map((p) => p.field)).toEqual(fields);
  });

  it("normalise an extension, or refuse one that can never match", () => {
    expect(normalizeExtension(" .EXE ")).toBe("exe");
    expect(normalizeExtension("..")).toBeUndefined();
  });

  it("read gracefully from storage: a missing or invalid part is its default", () => {
    expect(readStoredAttachmentSettings(undefined)).toEqual(defaultAttachmentSettings);
    expect(readStoredAttachmentSettings({ blockedFileExtensions: ["EXE", "exe"], maxFileSizeBytes: 9 })).toEqual({ blockedFileExtensions: ["exe"], maxFileSizeBytes: 9 });
    expect(readStoredAttachmentSettings({ blockedFileExtensions: "exe", maxFileSizeBytes: -1 })).toEqual(defaultAttachmentSettings);
  });
});
