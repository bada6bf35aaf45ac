import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { acquireToken, msalApp, rawGraph, startFixture, waitUntil, type SimulatorFixture } from "./simulator-fixture.js";

let f: SimulatorFixture;
let mailboxCount = 0;
beforeAll(async () => {
  f = await startFixture();
});
afterAll(() => f.sim.close());

function newMailbox(): string {
  return f.sim.addMailbox({ tenantId: f.tenantId, address: `faults${++mailboxCount}@contoso.example` }).address;
}

const inbox = (mailbox: string) => `/users/${mailbox}/mailFolders/inbox`;

describe("throttling", () => {
  it("answers the 5th concurrent request of an app on a mailbox with 429 MailboxConcurrency", async () => {
    const mailbox = newMailbox();
    const token = await f.token();
    f.sim.setLatency({ minMs: 1000, maxMs: 1000, mailbox });
    const running = Array.from({ length: 4 }, () => rawGraph(f, inbox(mailbox), { token }));
    await waitUntil(() => f.sim.stats().inFlightByMailbox[mailbox] === 4, "4 requests are in flight");

    const fifth = await rawGraph(f, inbox(mailbox), { token });
    expect(fifth.status).toBe(429);
    expect(fifth.body.error).toMatchObject({ code: "ApplicationThrottled", message: "Application is over its MailboxConcurrency limit." });
    expect(Number(fifth.headers.get("retry-after"))).toBeGreaterThan(0);

    // The limit is per app: another app still gets in.
    const otherSecret = "other";
    const { clientId } = f.sim.addApp(f.tenantId, { clientSecret: otherSecret, roles: ["Mail.Read"] });
    const otherToken = await acquireToken(msalApp(f.sim, f.tenantId, clientId, { clientSecret: otherSecret }), f.sim);
    const other = rawGraph(f, inbox(mailbox), { token: otherToken });

    expect((await Promise.all(running)).map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect((await other).status).toBe(200);
    f.sim.setLatency({ minMs: 0, maxMs: 0, mailbox });
    expect(f.sim.stats().maxConcurrentByMailbox[mailbox]).toBe(5);
    expect((await rawGraph(f, inbox(mailbox), { token })).status).toBe(200);
  });

  it("limits the request rate per app per mailbox with Retry-After until the window frees", async () => {
    let clock = Date.parse("2025-03-01T09:00:00Z");
    const timed = await startFixture({ now: () => clock });
    try {
      timed.sim.setRateLimit({ requests: 3, windowSeconds: 60 });
      for (let i = 0; i < 3; i++) expect((await rawGraph(timed, inbox(timed.alice.address))).status).toBe(200);
      const limited = await rawGraph(timed, inbox(timed.alice.address));
      expect(limited.status).toBe(429);
      expect(limited.body.error.code).toBe("ApplicationThrottled");
      expect(limited.headers.get("retry-after")).toBe("60");
      expect((await rawGraph(timed, inbox(timed.bob.address))).status).toBe(200);

      clock += 30_000;
      expect((await rawGraph(timed, inbox(timed.alice.address))).headers.get("retry-after")).toBe("30");
      clock += 30_001;
      expect((await rawGraph(timed, inbox(timed.alice.address))).status).toBe(200);
      expect(timed.sim.stats().throttled).toBe(2);

      // The same clock drives token lifetime.
      clock += 3600_000;
      const expired = await rawGraph(timed, inbox(timed.bob.address));
      expect(expired.status).toBe(401);
    } finally {
      await timed.sim.close();
    }
  });
});

describe("fault injection", () => {
  it("fails matching requests with the given status, code and Retry-After, the given number of times", async () => {
    const mailbox = newMailbox();
    const bystander = newMailbox();
    f.sim.injectFault({ mailbox, status: 503, code: "ServiceUnavailable", message: "Try later", retryAfterSeconds: 3, times: 2 });
    const before = f.sim.stats().faultsFired;
    expect((await rawGraph(f, inbox(bystander))).status).toBe(200);
    for (let i = 0; i < 2; i++) {
      const failed = await rawGraph(f, inbox(mailbox));
      expect(failed.status).toBe(503);
      expect(failed.headers.get("retry-after")).toBe("3");
      expect(failed.body.error).toMatchObject({ code: "ServiceUnavailable", message: "Try later" });
    }
    expect((await rawGraph(f, inbox(mailbox))).status).toBe(200);
    expect(f.sim.stats().faultsFired - before).toBe(2);
  });

  it("matches by path and method and lasts forever until cleared", async () => {
    const mailbox = newMailbox();
    f.sim.injectFault({ pathIncludes: "/messages/delta", method: "GET", status: 500, times: "forever" });
    for (let i = 0; i < 3; i++) {
      const failed = await rawGraph(f, `${inbox(mailbox)}/messages/delta`);
      expect(failed.status).toBe(500);
      expect(failed.body.error.code).toBe("ErrorInternalServerError");
    }
    expect((await rawGraph(f, inbox(mailbox))).status).toBe(200);
    f.sim.clearFaults();
    expect((await rawGraph(f, `${inbox(mailbox)}/messages/delta`)).status).toBe(200);
  });

  it("drops the connection without an answer on a reset fault", async () => {
    const mailbox = newMailbox();
    f.sim.injectFault({ mailbox, kind: "reset" });
    await expect(rawGraph(f, inbox(mailbox))).rejects.toThrow();
    expect((await rawGraph(f, inbox(mailbox))).status).toBe(200);
  });

  it("holds a hanging request open", async () => {
    const mailbox = newMailbox();
    const token = await f.token();
    f.sim.injectFault({ mailbox, kind: "hang", ms: 3000 });
    const abort = new AbortController();
    let settled = false;
    const hanging = fetch(`${f.sim.url}/v1.0${inbox(mailbox)}`, { headers: { Authorization: `Bearer ${token}` }, signal: abort.signal });
    hanging.then(() => (settled = true), () => (settled = true));
    await waitUntil(() => f.sim.stats().inFlightByMailbox[mailbox] === 1, "the hanging request is admitted");
    expect(settled).toBe(false);
    abort.abort();
    await expect(hanging).rejects.toThrow();
  });
});

describe("statistics", () => {
  it("counts Graph requests per mailbox and resets", async () => {
    const mailbox = newMailbox();
    f.sim.resetStats();
    for (let i = 0; i < 3; i++) await rawGraph(f, inbox(mailbox));
    await rawGraph(f, "/users/ghost@contoso.example/mailFolders/inbox");
    const stats = f.sim.stats();
    expect(stats.requests).toBe(4);
    expect(stats.requestsByMailbox).toEqual({ [mailbox]: 3 });
    expect(stats.maxConcurrentByMailbox[mailbox]).toBe(1);
  });
});
