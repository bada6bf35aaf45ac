/** Request bodies of the admin API, validated with zod so a 400 names the failing field. */
import { z } from "zod";
import { workloads } from "../domain/workloads.js";
import { trackingSettingsFields } from "./tracking-settings-schema.js";
import { attachmentSettingsFields } from "./attachment-settings-schema.js";

export const idParam = z.string().regex(/^[A-Za-z0-9._@-]{1,128}$/, "must be 1-128 letters, digits, '.', '_', '@' or '-'");
const isoDate = z.iso.datetime({ offset: true }).transform((value) => new Date(value).toISOString());
const settingName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, "must be the name of an app setting");
const tenantId = z.string().regex(/^[A-Za-z0-9.-]{1,253}$/, "must be a tenant id (GUID) or domain name");

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
    name: z.string().trim().min(1).max(200),
    credential: credentialSchema.default({ kind: "deploymentApp" }),
    processEmailsFrom: isoDate.nullable().optional(),
    maxConcurrentConnections: z.number().int().min(1).max(300).default(10),
    requestTimeoutSeconds: z.number().int().min(5).max(300).default(30),
    polling: z.object(Object.fromEntries(workloads.map((w) => [w, pollingBounds.optional()])) as Record<(typeof workloads)[number], z.ZodOptional<typeof pollingBounds>>).strict().default({}),
    ownerEmail: z.email().nullable().optional(),
    saveSentToSentItems: z.boolean().default(true),
    alertOwnerWhenMajorityFail: z.boolean().default(true),
  })
  .strict();

const syncMethod = z.enum(["ServerSideSync", "None"]);

export const mailboxBody = z
  .object({
    emailAddress: z.email().max(320),
    profileId: idParam,
    ownerType: z.enum(["user", "queue"]).default("user"),
    ownerId: z.string().min(1).max(128).optional(),
    syncMethods: z.object({ incoming: syncMethod.optional(), outgoing: syncMethod.optional(), act: syncMethod.optional() }).strict().default({}),
    processEmailsFrom: isoDate.nullable().optional(),
    /** Take the address over from the mailbox that holds it (that mapping is disabled). */
    force: z.boolean().default(false),
  })
  .strict()
  .refine((b) => !(b.ownerType === "queue" && b.syncMethods.act === "ServerSideSync"), { message: "must be None for a queue: queues do not sync appointments, contacts and tasks", path: ["syncMethods", "act"] });

export const testAndEnableBody = z.object({ takeOwnership: z.boolean().default(false) }).strict();
export const bulkTestAndEnableBody = z
  .object({
    mailboxIds: z.array(idParam).min(1).max(200, "holds at most 200 mailboxes per request: send the rest in further requests"),
    takeOwnership: z.boolean().default(false),
  })
  .strict();
export const disableBody = z.object({ workloads: z.array(z.enum(workloads)).min(1).optional() }).strict();

export const settingsBody = z
  .object({
    requireApprovedMailboxes: z.boolean().optional(),
    alertLevels: z.array(z.enum(["Error", "Warning", "Information"])).optional(),
    alertSenderMailbox: z.email().nullable().optional(),
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
});
