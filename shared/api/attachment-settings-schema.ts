/**
 * The attachment part of PUT /api/settings: blocked file extensions and the file size limit for
 * tracked mail's attachments (Dynamics 365's `blockedattachments` and `maxuploadfilesize`). Both
 * have their documented default, so a body without them gets the defaults; the rules live in
 * shared/domain/attachments (one source), and a 400 names the failing field.
 */
import { z } from "zod";
import { text } from "./text-fields.js";
import { attachmentSettingsProblems, defaultAttachmentSettings, normalizedExtensions } from "../domain/attachments/attachment-settings.js";

export const attachmentSettingsSchema = z
  .object({
    blockedFileExtensions: z.array(text()).default([...defaultAttachmentSettings.blockedFileExtensions]),
    maxFileSizeBytes: z.number().default(defaultAttachmentSettings.maxFileSizeBytes),
  })
  .strict()
  .superRefine((settings, ctx) => {
    for (const problem of attachmentSettingsProblems(settings)) {
      ctx.addIssue({ code: "custom", path: problem.field.split(".").map((p) => (/^\d+$/.test(p) ? Number(p) : p)), message: problem.message });
    }
  })
  // Stored as the rule reads them: ".EXE" and "exe" are one entry.
  .transform((settings) => ({ ...settings, blockedFileExtensions: normalizedExtensions(settings.blockedFileExtensions) }));

/** Spread into the settings body: `z.object({ ...other fields, ...attachmentSettingsFields })`. */
export const attachmentSettingsFields = {
  attachments: attachmentSettingsSchema.prefault({}),
};
