import { describe, expect, it } from "vitest";
import { alertCatalog, describeAlert, type AlertCode } from "../../shared/domain/alert-catalog.js";
import { classifyFailure, escalate, maxTransientFailures, type FailureFacts } from "../../shared/domain/error-classification.js";

const graph = (status: number, code: string): FailureFacts => ({ source: "graph", status, code });
const token = (status: number, code: string, oauthError: string): FailureFacts => ({ source: "token", status, code, oauthError });

describe("error classification table", () => {
  it.each([
    // facts → cause, action, scope, alert
    [graph(429, "ApplicationThrottled"), "Throttled", "postpone", "mailbox"],
    [graph(429, "ErrorExceededMessageLimit"), "SendingLimitReached", "postpone", "mailbox"],
    [graph(403, "ErrorQuotaExceeded"), "SendingLimitReached", "postpone", "mailbox"],
    [graph(0, "NetworkError"), "NetworkFailure", "retry", "mailbox"],
    [graph(0, "Timeout"), "NetworkFailure", "retry", "mailbox"],
    [graph(410, "SyncStateNotFound"), "SyncStateLost", "retry", "mailbox"],
    [graph(400, "resyncRequired"), "SyncStateLost", "retry", "mailbox"],
    [graph(404, "MailboxNotEnabledForRESTAPI"), "MailboxNotEnabled", "disable", "mailbox"],
    [graph(401, "InvalidAuthenticationToken"), "TokenRejected", "retry", "server"],
    [graph(403, "ErrorAccessDenied"), "AccessDenied", "disable", "mailbox"],
    [graph(403, "Authorization_RequestDenied"), "AccessDenied", "disable", "mailbox"],
    [graph(404, "ErrorInvalidUser"), "MailboxNotFound", "disable", "mailbox"],
    [graph(404, "ResourceNotFound"), "MailboxNotFound", "disable", "mailbox"],
    [graph(400, "ErrorInvalidRecipients"), "ItemRejected", "disable", "item"],
    [graph(413, "RequestBodyTooLarge"), "ItemRejected", "disable", "item"],
    [graph(500, "InternalServerError"), "ServerBusy", "retry", "mailbox"],
    [graph(503, "ServiceUnavailable"), "ServerBusy", "retry", "mailbox"],
    [graph(504, "GatewayTimeout"), "ServerBusy", "retry", "mailbox"],
    [graph(404, "ErrorItemNotFound"), "Unknown", "retry", "mailbox"],
    [graph(400, "BadRequest"), "Unknown", "retry", "mailbox"],
    [token(0, "network_error", "network_error"), "AuthorityUnreachable", "retry", "server"],
    [token(503, "temporarily_unavailable", "temporarily_unavailable"), "AuthorityUnreachable", "retry", "server"],
    [token(401, "AADSTS7000215", "invalid_client"), "InvalidCredentials", "disable", "server"],
    [token(401, "AADSTS7000222", "invalid_client"), "InvalidCredentials", "disable", "server"],
    [token(401, "AADSTS700027", "invalid_client"), "InvalidCredentials", "disable", "server"],
    [token(400, "AADSTS700016", "unauthorized_client"), "InvalidCredentials", "disable", "server"],
    [token(400, "AADSTS90002", "invalid_request"), "TenantNotFound", "disable", "server"],
  ] as const)("%o → %s, %s (%s)", (facts, cause, action, scope) => {
    expect(classifyFailure(facts)).toMatchObject({ cause, action, scope });
  });

  it("a transient failure becomes permanent on the 10th in a row, keeping its alert", () => {
    const transient = classifyFailure(graph(503, "ServiceUnavailable"));
    expect(escalate(transient, maxTransientFailures - 2).action).toBe("retry");
    expect(escalate(transient, maxTransientFailures - 1)).toMatchObject({ action: "disable", alert: "TransientFailuresExhausted" });
    expect(escalate(classifyFailure(graph(0, "NetworkError")), 9)).toMatchObject({ action: "disable", alert: "SecureConnectionFailed" });
  });

  it("throttling is never escalated, however often it happens", () => {
    expect(escalate(classifyFailure(graph(429, "ApplicationThrottled")), 100).action).toBe("postpone");
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
