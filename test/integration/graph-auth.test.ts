/** The product's real MSAL and Graph client paths against the simulator's identity platform. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadSettings } from "../../shared/config/settings.js";
import { GraphConnection } from "../../shared/graph/graph-connection.js";
import { GraphRequestError, TokenRequestError } from "../../shared/graph/graph-errors.js";
import { GraphTokenProvider } from "../../shared/graph/token-provider.js";
import { generateAppCertificate } from "../tools/dev-certificates.js";
import { allEmails, startSyncHarness, trackEverything, type SyncHarness } from "../support/sync-harness.js";

let h: SyncHarness;
beforeAll(async () => {
  // Sync machinery, not tracking: every message is tracked here.
  h = await startSyncHarness({ tracking: trackEverything });
});
afterAll(async () => {
  await h?.stop();
});

function connection(overrides: Record<string, string>) {
  const settings = loadSettings({ ...h.env, ...overrides }, { serviceBus: false });
  return new GraphConnection(settings.graph, new GraphTokenProvider(settings.graph));
}

describe("app-only authentication", () => {
  it("a certificate credential gets a token and reads the mailbox", async () => {
    const certificate = generateAppCertificate();
    const { clientId } = h.sim.addApp(h.tenantId, { certificates: [{ certificatePem: certificate.certificatePem }], roles: ["Mail.ReadWrite"] });
    const mb = await h.addMailbox("certuser");
    const graph = connection({
      GRAPH_CLIENT_ID: clientId,
      GRAPH_CREDENTIAL_KIND: "certificate",
      GRAPH_CLIENT_SECRET: "",
      GRAPH_CERTIFICATE_PEM: `${certificate.privateKeyPem}\n${certificate.certificatePem}`,
    });
    const inbox = await graph.get<{ displayName: string }>(`/users/${mb.exchangeUserId}/mailFolders/inbox`);
    expect(inbox.displayName).toBe("Inbox");
  });

  it("a wrong client secret is a token failure carrying the AADSTS code", async () => {
    const graph = connection({ GRAPH_CLIENT_SECRET: "wrong" });
    const error = await graph.get(`/users/nobody@contoso.example`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TokenRequestError);
    expect((error as TokenRequestError).code).toBe("AADSTS7000215");
  });

  it("the token is cached across cycles and refreshed once when Graph says it expired", async () => {
    const mb = await h.addMailbox("tokens");
    h.sim.deliverMessage({ mailbox: mb.address, subject: "First", from: { address: "x@fabrikam.example" } });
    await h.runIncoming(mb.id);
    const issued = h.sim.stats().tokensIssued;
    await h.runIncoming(mb.id);
    await h.runIncoming(mb.id);
    expect(h.sim.stats().tokensIssued).toBe(issued);
    h.sim.expireAccessTokens();
    h.sim.deliverMessage({ mailbox: mb.address, subject: "After expiry", from: { address: "x@fabrikam.example" } });
    const report = await h.runIncoming(mb.id);
    expect(report.outcome).toBe("completed");
    expect(h.sim.stats().tokensIssued).toBe(issued + 1);
    expect((await allEmails(h.runtime, mb.id)).map((e) => e.subject).sort()).toEqual(["After expiry", "First"]);
  });

  it("Graph errors keep their status and code; network failures are status 0", async () => {
    const error = await h.runtime.graph.get(`/users/nobody@contoso.example/mailFolders/inbox`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GraphRequestError);
    expect(error).toMatchObject({ status: 404, code: "ErrorInvalidUser" });
    const mb = await h.addMailbox("resetter");
    h.sim.injectFault({ mailbox: mb.address, kind: "reset", times: 1 });
    const reset = await h.runtime.graph.get(`/users/${mb.exchangeUserId}/mailFolders/inbox`).catch((e: unknown) => e);
    expect(reset).toMatchObject({ status: 0, code: "NetworkError" });
  });

  it("a request that hangs past the timeout fails as Timeout", async () => {
    const mb = await h.addMailbox("slowpoke");
    h.sim.injectFault({ mailbox: mb.address, kind: "hang", ms: 2_500, times: 1 });
    const graph = connection({ GRAPH_REQUEST_TIMEOUT_SECONDS: "1" });
    const error = await graph.get(`/users/${mb.exchangeUserId}/mailFolders/inbox`).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 0, code: "Timeout" });
  });
});
