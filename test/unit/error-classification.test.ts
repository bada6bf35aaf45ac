import { describe, expect, it } from "vitest";
import { alertCatalog, describeAlert, type AlertCode } from "../../shared/domain/alert-catalog.js";
import { backOffAlertDue, classifyFailure, escalate, maxTransientFailures, type FailureFacts } from "../../shared/domain/error-classification.js";
import { maxRetryDelayMs, retryDelayMs } from "../../shared/domain/schedule.js";

const graph = (status: number, code: string): FailureFacts => ({ source: "graph", status, code });
const token = (status: number, code: string, oauthError: string): FailureFacts => ({ source: "token", status, code, oauthError });

describe("error classification table", () => {
  it.each([
    // facts → cause, action, scope
    [graph(429, "ApplicationThrottled"), "Throttled", "postpone", "mailbox"],
    [graph(509, "BandwidthLimitExceeded"), "Throttled", "postpone", "mailbox"],
    [graph(509, ""), "Throttled", "postpone", "mailbox"],
    [graph(403, "activityLimitReached"), "Throttled", "postpone", "mailbox"],
    [graph(429, "ErrorExceededMessageLimit"), "SendingLimitReached", "postpone", "mailbox"],
    [graph(403, "ErrorSubmissionQuotaExceeded"), "SendingLimitReached", "postpone", "mailbox"],
    [graph(0, "NetworkError"), "NetworkFailure", "backOff", "mailbox"],
    [graph(0, "Timeout"), "NetworkFailure", "backOff", "mailbox"],
    [graph(410, "SyncStateNotFound"), "SyncStateLost", "retry", "mailbox"],
    [graph(410, "Http410"), "SyncStateLost", "retry", "mailbox"],
    [graph(400, "resyncRequired"), "SyncStateLost", "retry", "mailbox"],
    // Graph's docs spell the codes in camel case, with "a 40X-series error".
    [graph(400, "syncStateNotFound"), "SyncStateLost", "retry", "mailbox"],
    [graph(404, "syncStateNotFound"), "SyncStateLost", "retry", "mailbox"],
    [graph(400, "syncStateInvalid"), "SyncStateLost", "retry", "mailbox"],
    [graph(409, "RESYNCREQUIRED"), "SyncStateLost", "retry", "mailbox"],
    [graph(410, "resyncApplyDifferences"), "SyncStateLost", "retry", "mailbox"],
    [graph(507, "quotaLimitReached"), "MailboxFull", "backOff", "mailbox"],
    [graph(507, "Http507"), "MailboxFull", "backOff", "mailbox"],
    [graph(403, "quotaLimitReached"), "MailboxFull", "backOff", "mailbox"],
    [graph(403, "ErrorQuotaExceeded"), "MailboxFull", "backOff", "mailbox"],
    [graph(404, "MailboxNotEnabledForRESTAPI"), "MailboxNotEnabled", "disable", "mailbox"],
    [graph(404, "mailboxNotEnabledForRestApi"), "MailboxNotEnabled", "disable", "mailbox"],
    [graph(401, "InvalidAuthenticationToken"), "TokenRejected", "disable", "server"],
    [graph(403, "ErrorAccessDenied"), "AccessDenied", "disable", "mailbox"],
    [graph(403, "accessDenied"), "AccessDenied", "disable", "mailbox"],
    [graph(403, "Authorization_RequestDenied"), "AccessDenied", "disable", "mailbox"],
    [graph(404, "ErrorInvalidUser"), "MailboxNotFound", "disable", "mailbox"],
    [graph(404, "ResourceNotFound"), "MailboxNotFound", "disable", "mailbox"],
    [graph(404, "resourceNotFound"), "MailboxNotFound", "disable", "mailbox"],
    [graph(400, "ErrorInvalidRecipients"), "ItemRejected", "disable", "item"],
    [graph(400, "errorInvalidRecipients"), "ItemRejected", "disable", "item"],
    [graph(413, "RequestBodyTooLarge"), "ItemRejected", "disable", "item"],
    [graph(500, "InternalServerError"), "ServerBusy", "backOff", "mailbox"],
    [graph(503, "ServiceUnavailable"), "ServerBusy", "backOff", "mailbox"],
    [graph(503, "serviceNotAvailable"), "ServerBusy", "backOff", "mailbox"],
    [graph(504, "GatewayTimeout"), "ServerBusy", "backOff", "mailbox"],
    [graph(503, "Http503"), "ServerBusy", "backOff", "mailbox"],
    [graph(404, "ErrorItemNotFound"), "Unknown", "retry", "mailbox"],
    [graph(400, "BadRequest"), "Unknown", "retry", "mailbox"],
    [token(0, "network_error", "network_error"), "AuthorityUnreachable", "backOff", "server"],
    [token(0, "Timeout", "timeout"), "AuthorityUnreachable", "backOff", "server"],
    [token(503, "temporarily_unavailable", "temporarily_unavailable"), "AuthorityUnreachable", "backOff", "server"],
    [token(500, "AADSTS90033", "server_error"), "AuthorityUnreachable", "backOff", "server"],
    [token(429, "AADSTS50196", "temporarily_unavailable"), "AuthorityUnreachable", "backOff", "server"],
    [token(400, "AADSTS50196", "temporarily_unavailable"), "AuthorityUnreachable", "backOff", "server"],
    [token(401, "AADSTS7000215", "invalid_client"), "InvalidCredentials", "disable", "server"],
    [token(401, "aadsts7000215", "INVALID_CLIENT"), "InvalidCredentials", "disable", "server"],
    [token(401, "AADSTS7000222", "invalid_client"), "InvalidCredentials", "disable", "server"],
    [token(401, "AADSTS700027", "invalid_client"), "InvalidCredentials", "disable", "server"],
    [token(400, "AADSTS700016", "unauthorized_client"), "InvalidCredentials", "disable", "server"],
    [token(400, "AADSTS650057", "invalid_request"), "InvalidCredentials", "disable", "server"],
    [token(400, "AADSTS90002", "invalid_request"), "TenantNotFound", "disable", "server"],
  ] as const)("%o → %s, %s (%s)", (facts, cause, action, scope) => {
    expect(classifyFailure(facts)).toMatchObject({ cause, action, scope });
  });

  it.each([
    ["the login authority", token(503, "temporarily_unavailable", "temporarily_unavailable"), "LoginAuthorityUnavailable"],
    ["the login authority unreachable", token(0, "network_error", "network_error"), "LoginAuthorityUnavailable"],
    ["Graph's server errors", graph(503, "ServiceUnavailable"), "ExchangeUnavailable"],
    ["the network to Graph", graph(0, "Timeout"), "SecureConnectionFailed"],
  ] as const)("an outage of %s never disables, backs off and raises its alert at the 10th failure in a row", (_name, facts, alert) => {
    const classification = classifyFailure(facts);
    expect(classification.alert).toBe(alert);
    for (let failuresSoFar = 0; failuresSoFar < 100; failuresSoFar++) expect(escalate(classification, failuresSoFar).action).toBe("backOff");
    expect(backOffAlertDue(classification, maxTransientFailures - 1)).toBe(false);
    expect(backOffAlertDue(classification, maxTransientFailures)).toBe(true);
    expect(backOffAlertDue(classification, maxTransientFailures + 5)).toBe(true);
  });

  it("a full mailbox is alerted at its first failure and never disabled", () => {
    const full = classifyFailure(graph(507, "quotaLimitReached"));
    expect(full.alert).toBe("MailboxFull");
    expect(backOffAlertDue(full, 1)).toBe(true);
    expect(escalate(full, 50).action).toBe("backOff");
  });

  it("retries wait 5 minutes up to the 10th failure in a row, then twice as long each time up to 30 minutes", () => {
    const minutes = Array.from({ length: 15 }, (_, i) => retryDelayMs(i + 1) / 60_000);
    expect(minutes).toEqual([5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 10, 20, 30, 30, 30]);
    expect(retryDelayMs(1000)).toBe(maxRetryDelayMs);
  });

  it("a transient failure of the mailbox's own becomes permanent on the 10th in a row, keeping its alert", () => {
    const transient = classifyFailure(graph(400, "BadRequest"));
    expect(escalate(transient, maxTransientFailures - 2).action).toBe("retry");
    expect(escalate(transient, maxTransientFailures - 1)).toMatchObject({ action: "disable", alert: "TransientFailuresExhausted" });
    expect(escalate(classifyFailure(graph(410, "SyncStateNotFound")), 9)).toMatchObject({ action: "disable", alert: "TransientFailuresExhausted" });
  });

  it("throttling is never escalated, however often it happens", () => {
    expect(escalate(classifyFailure(graph(429, "ApplicationThrottled")), 100).action).toBe("postpone");
    expect(escalate(classifyFailure(graph(509, "")), 100).action).toBe("postpone");
  });
});

describe("alert catalog", () => {
  it.each(Object.keys(alertCatalog) as AlertCode[])("%s says what happened and what to do, in plain words", (code) => {
    const text = describeAlert(code, { mailboxAddress: "ann@contoso.example", profileName: "Contoso", workload: "incoming", errorCode: "ErrorX", detail: "3 of 4 mailboxes" });
    expect(["Error", "Warning", "Information"]).toContain(text.level);
    for (const part of [text.title, text.cause, text.fix]) {
      expect(part.length).toBeGreaterThan(10);
      expect(part).not.toMatch(/undefined|\[object/);
    }
  });
});
