/**
 * The organization's attachment settings, as Dynamics 365 has them (System Settings › General):
 *
 * - `blockedFileExtensions` — "Set blocked file extensions for attachments", the organization's
 *   `blockedattachments`. The default is Dataverse's documented default list of executable and
 *   script types ("Files and images overview › Block certain types of files").
 * - `maxFileSizeBytes` — "Set file size limit for attachments", the organization's
 *   `maxuploadfilesize`: 5 MB by default, at most 128 MB.
 *
 * A tracked email's file attachment that is blocked or larger than the limit is left out with a
 * reason; the email itself is still tracked (attachment-rules.ts).
 */

export interface AttachmentSettings {
  /** Lower case, without the leading dot ("exe", "msh1xml"). */
  blockedFileExtensions: string[];
  maxFileSizeBytes: number;
}

/** Dataverse's default `blockedattachments`, in its documented order. */
export const defaultBlockedFileExtensions: readonly string[] = (
  "ade;adp;app;asa;ashx;asmx;asp;bas;bat;cdx;cer;chm;class;cmd;com;config;cpl;crt;csh;dll;exe;fxp;hlp;hta;htr;htw;" +
  "ida;idc;idq;inf;ins;isp;its;jar;js;jse;ksh;lnk;mad;maf;mag;mam;maq;mar;mas;mat;mau;mav;maw;mda;mdb;mde;mdt;mdw;" +
  "mdz;msc;msh;msh1;msh1xml;msh2;msh2xml;mshxml;msi;msp;mst;ops;pcd;pif;prf;prg;printer;pst;reg;rem;scf;scr;sct;shb;" +
  "shs;shtm;shtml;soap;stm;tmp;url;vb;vbe;vbs;vsmacros;vss;vst;vsw;ws;wsc;wsf;wsh;svg"
).split(";");

export const attachmentSettingsLimits = {
  /** Dynamics' own bounds for maxuploadfilesize: 5 MB by default, up to 128 MB. */
  maxFileSizeBytes: { min: 1, max: 128 * 1024 * 1024, default: 5 * 1024 * 1024 },
  blockedFileExtensions: { maxCount: 1000, maxLength: 32 },
} as const;

export const defaultAttachmentSettings: AttachmentSettings = {
  blockedFileExtensions: [...defaultBlockedFileExtensions],
  maxFileSizeBytes: attachmentSettingsLimits.maxFileSizeBytes.default,
};

/** Letters, digits and inner dots, dashes, underscores or pluses ("tar.gz", "c++"). */
const extensionPattern = /^[a-z0-9](?:[a-z0-9._+-]*[a-z0-9+])?$/;

/** "EXE", ".exe" and " exe " are the same extension; undefined when it can never name one. */
export function normalizeExtension(value: string): string | undefined {
  const extension = value.trim().replace(/^\.+/, "").toLowerCase();
  return extension.length > 0 && extension.length <= attachmentSettingsLimits.blockedFileExtensions.maxLength && extensionPattern.test(extension)
    ? extension
    : undefined;
}

export interface AttachmentSettingsProblem {
  field: string;
  message: string;
}

export function attachmentSettingsProblems(settings: { blockedFileExtensions: string[]; maxFileSizeBytes: number }): AttachmentSettingsProblem[] {
  const problems: AttachmentSettingsProblem[] = [];
  const { min, max } = attachmentSettingsLimits.maxFileSizeBytes;
  if (!Number.isSafeInteger(settings.maxFileSizeBytes) || settings.maxFileSizeBytes < min || settings.maxFileSizeBytes > max) {
    problems.push({ field: "maxFileSizeBytes", message: `must be a whole number of bytes from ${min} to ${max} (128 MB)` });
  }
  if (settings.blockedFileExtensions.length > attachmentSettingsLimits.blockedFileExtensions.maxCount) {
    problems.push({ field: "blockedFileExtensions", message: `must list at most ${attachmentSettingsLimits.blockedFileExtensions.maxCount} extensions` });
  }
  settings.blockedFileExtensions.forEach((extension, index) => {
    if (normalizeExtension(extension) === undefined) {
      problems.push({ field: `blockedFileExtensions.${index}`, message: "must be a file extension such as 'exe' (letters, digits and inner . _ + -, at most 32 characters)" });
    }
  });
  return problems;
}

/** The list as stored: normalised, without duplicates, in the order given. */
export function normalizedExtensions(extensions: string[]): string[] {
  return [...new Set(extensions.map(normalizeExtension).filter((e): e is string => e !== undefined))];
}

/** Stored settings read gracefully: a missing or no longer valid part falls back to its default. */
export function readStoredAttachmentSettings(stored: unknown): AttachmentSettings {
  if (typeof stored !== "object" || stored === null || Array.isArray(stored)) return defaultAttachmentSettings;
  const record = stored as Record<string, unknown>;
  const extensions = Array.isArray(record.blockedFileExtensions) && record.blockedFileExtensions.every((e) => typeof e === "string")
    ? normalizedExtensions(record.blockedFileExtensions as string[])
    : defaultAttachmentSettings.blockedFileExtensions;
  const size = typeof record.maxFileSizeBytes === "number" ? record.maxFileSizeBytes : NaN;
  const { min, max } = attachmentSettingsLimits.maxFileSizeBytes;
  return {
    blockedFileExtensions: extensions,
    maxFileSizeBytes: Number.isSafeInteger(size) && size >= min && size <= max ? size : defaultAttachmentSettings.maxFileSizeBytes,
  };
}
