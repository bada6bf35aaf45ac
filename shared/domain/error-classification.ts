/**
 * Which file decides whether an error is permanent: this one.
 *
 * Graph response (status, error code), network failure or token endpoint failure → one cause →
 * what it does to the workload: postpone (throttling, not a failure), retry (transient), or disable
 * (permanent), for one mailbox or for every mailbox of the profile (a server error). Pure: values
 * in, values out; error message text is never read.
 */
import type { AlertCode } from "./alert-catalog.js";

export type FailureCause =
  | "Throttled"
  | "SendingLimitReached"
  | "InvalidCredentials"
  | "TenantNotFound"
  | "AuthorityUnreachable"
  | "TokenRejected"
  | "AccessDenied"
  | "MailboxNotEnabled"
  | "MailboxNotFound"
  | "SyncStateLost"
  | "ServerBusy"
  | "NetworkFailure"
  | "ItemRejected"
  | "Unknown";

export type FailureAction = "postpone" | "retry" | "disable";
export type FailureScope = "server" | "mailbox" | "item";

export interface Classification {
  cause: FailureCause;
  action: FailureAction;
  scope: FailureScope;
  /** The alert raised when the failure disables the workload (now, or after the last retry). */
  alert: AlertCode;
}

/** What the edges report: a Graph answer (status 0 = no answer) or a token endpoint failure. */
export type FailureFacts =
  | { source: "graph"; status: number; code: string }
  | { source: "token"; status: number; code: string; oauthError: string };

/** Transient failures retried 5 minutes apart this many times; the next one counts as permanent. */
export const maxTransientFailures = 10;

const rule = (cause: FailureCause, action: FailureAction, scope: FailureScope, alert: AlertCode): Classification => ({ cause, action, scope, alert });

/** AADSTS codes that mean the app's identity or secret is wrong (fix the profile's credential). */
const credentialCodes = new Set([
  "AADSTS7000215", // invalid client secret
  "AADSTS7000222", // client secret expired
  "AADSTS700027", // client assertion (certificate) failed validation
  "AADSTS700016", // application not found in the tenant
  "AADSTS7000112", // application disabled
  "AADSTS700024", // client assertion not within its valid time range
]);
const tenantCodes = new Set(["AADSTS90002", "AADSTS90072", "AADSTS900023"]);
const mailboxNotEnabledCodes = new Set(["MailboxNotEnabledForRESTAPI", "MailboxNotSupportedForRESTAPI", "ErrorMailboxStoreUnavailable"]);
const mailboxNotFoundCodes = new Set(["ErrorInvalidUser", "ErrorNonExistentMailbox", "ResourceNotFound", "Request_ResourceNotFound"]);
const syncStateCodes = new Set(["SyncStateNotFound", "SyncStateInvalid", "resyncRequired"]);
const sendingLimitCodes = new Set(["ErrorExceededMessageLimit", "ErrorQuotaExceeded", "ErrorSubmissionQuotaExceeded", "SubmissionQuotaExceeded"]);
const itemCodes = new Set(["ErrorInvalidRecipients", "ErrorMessageSizeExceeded", "ErrorInvalidRequest", "RequestBodyTooLarge"]);

export function classifyFailure(facts: FailureFacts): Classification {
  if (facts.source === "token") {
    if (facts.status === 0) return rule("AuthorityUnreachable", "retry", "server", "SecureConnectionFailed");
    if (tenantCodes.has(facts.code)) return rule("TenantNotFound", "disable", "server", "CredentialsInvalid");
    if (credentialCodes.has(facts.code) || facts.oauthError === "invalid_client" || facts.oauthError === "unauthorized_client") {
      return rule("InvalidCredentials", "disable", "server", "CredentialsInvalid");
    }
    if (facts.status >= 500 || facts.status === 429) return rule("AuthorityUnreachable", "retry", "server", "SecureConnectionFailed");
    return rule("InvalidCredentials", "disable", "server", "CredentialsInvalid");
  }
  const { status, code } = facts;
  if (code === "OwnedByAnotherOrganization") return rule("AccessDenied", "disable", "mailbox", "OwnedByAnotherOrganization");
  if (sendingLimitCodes.has(code)) return rule("SendingLimitReached", "postpone", "mailbox", "SendingLimitReached");
  if (status === 429) return rule("Throttled", "postpone", "mailbox", "TransientFailuresExhausted");
  if (status === 0) return rule("NetworkFailure", "retry", "mailbox", "SecureConnectionFailed");
  if (syncStateCodes.has(code) || status === 410) return rule("SyncStateLost", "retry", "mailbox", "TransientFailuresExhausted");
  if (mailboxNotEnabledCodes.has(code)) return rule("MailboxNotEnabled", "disable", "mailbox", "MailboxLocationUnknown");
  if (status === 401) return rule("TokenRejected", "retry", "server", "CredentialsInvalid");
  if (status === 403) return rule("AccessDenied", "disable", "mailbox", "AccessDenied");
  if (status === 404 && mailboxNotFoundCodes.has(code)) return rule("MailboxNotFound", "disable", "mailbox", "MailboxLocationUnknown");
  if (itemCodes.has(code) || status === 413) return rule("ItemRejected", "disable", "item", "EmailRejected");
  if (status >= 500 || status === 408) return rule("ServerBusy", "retry", "mailbox", "TransientFailuresExhausted");
  return rule("Unknown", "retry", "mailbox", "TransientFailuresExhausted");
}

/** A transient failure after the last allowed retry is permanent. */
export function escalate(classification: Classification, failuresSoFar: number): Classification {
  if (classification.action === "retry" && failuresSoFar + 1 >= maxTransientFailures) {
    return { ...classification, action: "disable" };
  }
  return classification;
}
