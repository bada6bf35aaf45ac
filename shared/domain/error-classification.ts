/**
 * Which file decides whether an error is permanent: this one.
 *
 * Graph response (status, error code), network failure or token endpoint failure → one cause →
 * what it does to the workload, for one mailbox or for every mailbox of the profile (a server error):
 * - postpone: throttling, not a failure;
 * - backOff: the platform's outage (Graph or the login authority unreachable, timing out, 5xx) or a
 *   condition that clears without an admin (mailbox over quota): counted and retried later and later,
 *   never disabled; the alert says what is going on once it lasts;
 * - retry: a transient failure that is the mailbox's own: retried, and the 10th in a row disables;
 * - disable: permanent (wrong credentials, missing consent or permission, no such mailbox).
 * Pure: values in, values out; error message text is never read; codes match whatever their casing
 * (Microsoft's docs spell `syncStateNotFound` where Exchange answers `SyncStateNotFound`).
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
  | "MailboxFull"
  | "SyncStateLost"
  | "ServerBusy"
  | "NetworkFailure"
  | "ItemRejected"
  | "Unknown";

export type FailureAction = "postpone" | "backOff" | "retry" | "disable";
export type FailureScope = "server" | "mailbox" | "item";

export interface Classification {
  cause: FailureCause;
  action: FailureAction;
  scope: FailureScope;
  /** The alert raised when the failure disables the workload, or when a back-off has lasted. */
  alert: AlertCode;
  /** backOff only: the failure in a row (1 = the first) from which the alert is raised. */
  alertFrom?: number;
}

/** What the edges report: a Graph answer (status 0 = no answer) or a token endpoint failure. */
export type FailureFacts =
  | { source: "graph"; status: number; code: string }
  | { source: "token"; status: number; code: string; oauthError: string };

/**
 * Transient failures of the mailbox's own are retried 5 minutes apart this many times; the next one
 * counts as permanent. A platform outage raises its alert at this count instead, and goes on.
 */
export const maxTransientFailures = 10;

const rule = (cause: FailureCause, action: FailureAction, scope: FailureScope, alert: AlertCode): Classification => ({ cause, action, scope, alert });
const outage = (cause: FailureCause, scope: FailureScope, alert: AlertCode): Classification => ({ ...rule(cause, "backOff", scope, alert), alertFrom: maxTransientFailures });

/** A set of codes looked up whatever their casing. */
const codes = (...values: string[]) => new Set(values.map((v) => v.toLowerCase()));

/** AADSTS codes that mean the app's identity or secret is wrong (fix the profile's credential). */
const credentialCodes = codes(
  "AADSTS7000215", // invalid client secret
  "AADSTS7000222", // client secret expired
  "AADSTS700027", // client assertion (certificate) failed validation
  "AADSTS700016", // application not found in the tenant
  "AADSTS7000112", // application disabled
  "AADSTS700024", // client assertion not within its valid time range
);
const tenantCodes = codes("AADSTS90002", "AADSTS90072", "AADSTS900023");
const credentialOAuthErrors = codes("invalid_client", "unauthorized_client");
/** OAuth errors by which the login authority says it is the one failing (RFC 6749 §5.2, Entra). */
const authorityOutageOAuthErrors = codes("temporarily_unavailable", "server_error");
const mailboxNotEnabledCodes = codes("MailboxNotEnabledForRESTAPI", "MailboxNotSupportedForRESTAPI", "ErrorMailboxStoreUnavailable");
const mailboxNotFoundCodes = codes("ErrorInvalidUser", "ErrorNonExistentMailbox", "ResourceNotFound", "Request_ResourceNotFound");
/** Graph's errors table and delta docs: the delta token is gone, start the sync again. */
const syncStateCodes = codes("syncStateNotFound", "syncStateInvalid", "resyncRequired", "resyncApplyDifferences", "resyncUploadDifferences");
const sendingLimitCodes = codes("ErrorExceededMessageLimit", "ErrorSubmissionQuotaExceeded", "SubmissionQuotaExceeded");
/** The mailbox is over its storage quota (Graph's quotaLimitReached, EWS's ErrorQuotaExceeded). */
const mailboxFullCodes = codes("quotaLimitReached", "ErrorQuotaExceeded");
const throttlingCodes = codes("activityLimitReached", "throttledRequest", "ApplicationThrottled");
const itemCodes = codes("ErrorInvalidRecipients", "ErrorMessageSizeExceeded", "ErrorInvalidRequest", "RequestBodyTooLarge");

export function classifyFailure(facts: FailureFacts): Classification {
  const code = facts.code.toLowerCase();
  const { status } = facts;
  if (facts.source === "token") {
    // Wrong tenant or credentials are the profile's, whatever the status they came with.
    if (tenantCodes.has(code)) return rule("TenantNotFound", "disable", "server", "CredentialsInvalid");
    if (credentialCodes.has(code) || credentialOAuthErrors.has(facts.oauthError.toLowerCase())) return rule("InvalidCredentials", "disable", "server", "CredentialsInvalid");
    if (status === 0 || status >= 500 || status === 429 || authorityOutageOAuthErrors.has(facts.oauthError.toLowerCase())) {
      return outage("AuthorityUnreachable", "server", "LoginAuthorityUnavailable");
    }
    return rule("InvalidCredentials", "disable", "server", "CredentialsInvalid");
  }
  if (sendingLimitCodes.has(code)) return rule("SendingLimitReached", "postpone", "mailbox", "SendingLimitReached");
  // 509 Bandwidth Limit Exceeded is Graph's throttling too: wait, never count it as a failure.
  if (status === 429 || status === 509 || throttlingCodes.has(code)) return rule("Throttled", "postpone", "mailbox", "TransientFailuresExhausted");
  if (mailboxFullCodes.has(code) || status === 507) return { ...rule("MailboxFull", "backOff", "mailbox", "MailboxFull"), alertFrom: 1 };
  if (status === 0) return outage("NetworkFailure", "mailbox", "SecureConnectionFailed");
  if (status === 410 || (status >= 400 && status < 500 && syncStateCodes.has(code))) return rule("SyncStateLost", "retry", "mailbox", "TransientFailuresExhausted");
  if (mailboxNotEnabledCodes.has(code)) return rule("MailboxNotEnabled", "disable", "mailbox", "MailboxLocationUnknown");
  // The connection already got a new token once and Graph still refused it.
  if (status === 401) return rule("TokenRejected", "disable", "server", "CredentialsInvalid");
  if (status === 403) return rule("AccessDenied", "disable", "mailbox", "AccessDenied");
  if (status === 404 && mailboxNotFoundCodes.has(code)) return rule("MailboxNotFound", "disable", "mailbox", "MailboxLocationUnknown");
  if (itemCodes.has(code) || status === 413) return rule("ItemRejected", "disable", "item", "EmailRejected");
  if (status >= 500 || status === 408) return outage("ServerBusy", "mailbox", "ExchangeUnavailable");
  return rule("Unknown", "retry", "mailbox", "TransientFailuresExhausted");
}

/** A transient failure of the mailbox's own after the last allowed retry is permanent. */
export function escalate(classification: Classification, failuresSoFar: number): Classification {
  if (classification.action === "retry" && failuresSoFar + 1 >= maxTransientFailures) {
    return { ...classification, action: "disable" };
  }
  return classification;
}

/** Whether a back-off's failure (the `failuresInARow`-th, counting this one) raises its alert. */
export function backOffAlertDue(classification: Classification, failuresInARow: number): boolean {
  return classification.action === "backOff" && failuresInARow >= (classification.alertFrom ?? maxTransientFailures);
}
