/** Request bodies of the admin API, validated with zod so a 400 names the failing field. */
import { z } from "zod";
import { profileCredentialSettingPattern, profileCredentialSettingRule } from "../config/profile-credentials.js";
import { defaultOrgSettings } from "../domain/org-settings.js";
import { maxConcurrentConnectionsLimit } from "../domain/profile.js";
import { workloads } from "../domain/workloads.js";
import { text } from "./text-fields.js";
import { trackingSettingsFields } from "./tracking-settings-schema.js";
import { attachmentSettingsFields } from "./attachment-settings-schema.js";

export const idParam = text().regex(/^[A-Za-z0-9._@-]{1,128}$/, "must be 1-128 letters, digits, '.', '_', '@' or '-'");
const isoDate = z.iso.datetime({ offset: true }).transform((value) => new Date(value).toISOString());
const settingName = text().regex(profileCredentialSettingPattern, profileCredentialSettingRule);
const tenantId = text().regex(/^[A-Za-z0-9.-]{1,253}$/, "must be a tenant id (GUID) or domain name");

const pollingBounds = z
  .object({
    minSeconds: z.number().int().min(5).max(86_400),
    defaultSeconds: z.number().int().min(5).max(86_400),
    maxSeconds: z.number().int().min(5).max(86_400),
  })
  .strict()
  .refine((b) => b.minSeconds <= b.defaultSeconds && b.defaultSeconds <= b.maxSeconds, "must satisfy minSeconds ≤ defaultSeconds ≤ maxSeconds");

export const credentialSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("deploymentApp") }).strict(),
  z.object({ kind: z.literal("clientSecret"), tenantId, clientId: z.uuid(), secretSetting: settingName }).strict(),
  z.object({ kind: z.literal("certificate"), tenantId, clientId: z.uuid(), certificateSetting: settingName }).strict(),
  z.object({ kind: z.literal("managedIdentity"), tenantId, clientId: z.uuid(), managedIdentityClientId: z.uuid().optional() }).strict(),
]);

export const profileBody = z
  .object({
    name: text().trim().min(1).max(200),
    credential: credentialSchema.default({ kind: "deploymentApp" }),
    processEmailsFrom: isoDate.nullable().optional(),
    maxConcurrentConnections: z.number().int().min(1).max(maxConcurrentConnectionsLimit).default(10),
    requestTimeoutSeconds: z.number().int().min(5).max(300).default(30),
    polling: z.object(Object.fromEntries(workloads.map((w) => [w, pollingBounds.optional()])) as Record<(typeof workloads)[number], z.ZodOptional<typeof pollingBounds>>).strict().default({}),
    pushSafetyNetSeconds: z
      .object({ incoming: z.number().int().min(300).max(86_400).optional(), act: z.number().int().min(300).max(86_400).optional() })
      .strict()
      .default({}),
    ownerEmail: z.email().nullable().optional(),
    saveSentToSentItems: z.boolean().default(true),
    alertOwnerWhenMajorityFail: z.boolean().default(true),
  })
  .strict();

const syncMethod = z.enum(["ServerSideSync", "None"]);

/** A mailbox's fields that GET shows and only the server sets: ignored in a PUT body (read, change, write). */
export const mailboxReadOnlyFields = ["id", "exchangeUserId", "approved", "createdAt", "updatedAt", "push"] as const;

/**
 * A workload as GET shows it (mailbox-api.ts workloadView): its `syncMethod` is what a PUT's
 * `syncMethods` says, the rest is state that only sync sets, ignored here.
 */
const workloadAsShown = z
  .object({
    syncMethod: syncMethod.optional(),
    ...Object.fromEntries(["enabled", "status", "nextRunAt", "lastRunAt", "lastSuccessAt", "lastError", "transientFailures", "recentItems"].map((name) => [name, z.unknown().optional()])),
  })
  .strict();

export const mailboxBody = z
  .object({
    emailAddress: z.email().max(320),
    profileId: idParam,
    ownerType: z.enum(["user", "queue"]).default("user"),
    ownerId: text().min(1).max(128).optional(),
    syncMethods: z.object({ incoming: syncMethod.optional(), outgoing: syncMethod.optional(), act: syncMethod.optional() }).strict().default({}),
    workloads: z.object({ incoming: workloadAsShown.optional(), outgoing: workloadAsShown.optional(), act: workloadAsShown.optional() }).strict().optional(),
    processEmailsFrom: isoDate.nullable().optional(),
    /** Take the address over from the mailbox that holds it (that mapping is disabled). */
    force: z.boolean().default(false),
  })
  .strict()
  .superRefine((b, ctx) => {
    for (const w of workloads) {
      const shown = b.workloads?.[w]?.syncMethod;
      const given = b.syncMethods[w];
      if (shown && given && shown !== given) ctx.addIssue({ code: "custom", path: ["workloads", w, "syncMethod"], message: `says ${shown} but syncMethods.${w} says ${given}: send one of them` });
    }
  })
  .transform(({ workloads: shown, ...b }) => ({ ...b, syncMethods: Object.fromEntries(workloads.map((w) => [w, b.syncMethods[w] ?? shown?.[w]?.syncMethod])) as Partial<Record<(typeof workloads)[number], z.infer<typeof syncMethod>>> }))
  .refine((b) => !(b.ownerType === "queue" && b.syncMethods.act === "ServerSideSync"), { message: "must be None for a queue: queues do not sync appointments, contacts and tasks", path: ["syncMethods", "act"] });

export const testAndEnableBody = z.object({ takeOwnership: z.boolean().default(false) }).strict();
export const bulkTestAndEnableBody = z
  .object({
    mailboxIds: z.array(idParam).min(1).max(200, "holds at most 200 mailboxes per request: send the rest in further requests"),
    takeOwnership: z.boolean().default(false),
  })
  .strict();
export const disableBody = z.object({ workloads: z.array(z.enum(workloads)).min(1).optional() }).strict();

/** The organization settings; a PUT replaces them, so what it leaves out takes its default. */
export const settingsBody = z
  .object({
    requireApprovedMailboxes: z.boolean().default(defaultOrgSettings.requireApprovedMailboxes),
    alertLevels: z.array(z.enum(["Error", "Warning", "Information"])).default(defaultOrgSettings.alertLevels),
    alertSenderMailbox: z.email().nullable().default(null),
    ...trackingSettingsFields,
    ...attachmentSettingsFields,
  })
  .strict();

export const alertQuery = z.object({
  mailboxId: idParam.optional(),
  profileId: idParam.optional(),
  level: z.enum(["Error", "Warning", "Information"]).optional(),
});

export const mailboxListQuery = z.object({
  profileId: idParam.optional(),
  status: z.enum(["NotRun", "Success", "Failure"]).optional(),
  workload: z.enum(workloads).optional(),
  /** The console's approval filter: "true" or "false". */
  approved: z.enum(["true", "false"]).transform((value) => value === "true").optional(),
});
