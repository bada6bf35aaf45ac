/**
 * The Graph connection's streaming GET (an attachment's `$value`) against the simulator over
 * HTTPS: content arrives as a stream; the timeout is for silence, so a download that keeps moving
 * outlives it and one that never answers fails as a Timeout; an expired token is refreshed once;
 * Graph's error JSON becomes a GraphRequestError like every other call's.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GraphConnection } from "../../shared/graph/graph-connection.js";
import { GraphRequestError } from "../../shared/graph/graph-errors.js";
import { GraphTokenProvider } from "../../shared/graph/token-provider.js";
import { startSyncHarness, type HarnessMailbox, type SyncHarness } from "../support/sync-harness.js";

let h: SyncHarness;
let mb: HarnessMailbox;
let valuePath: string;
const size = 2 * 1024 * 1024;

beforeAll(async () => {
  h = await startSyncHarness();
  mb = await h.addMailbox("streamer");
  const { id } = h.sim.deliverMessage({ mailbox: mb.address, subject: "s", from: { address: "x@fabrikam.example" }, attachedFiles: [{ name: "big.bin", size }] });
  const [attachment] = (await h.runtime.graph.get<{ value: Array<{ id: string }> }>(`/users/${mb.exchangeUserId}/messages/${encodeURIComponent(id)}/attachments?$select=id`)).value;
  valuePath = `/users/${mb.exchangeUserId}/messages/${encodeURIComponent(id)}/attachments/${encodeURIComponent(attachment!.id)}/$value`;
});
afterAll(async () => {
  await h?.stop();
});

function connection(requestTimeoutMs: number): GraphConnection {
  const settings = { ...h.runtime.settings.graph, requestTimeoutMs };
  return new GraphConnection(settings, new GraphTokenProvider(settings));
}

async function drain(body: AsyncIterable<unknown>, pauseMs = 0): Promise<number> {
  let bytes = 0;
  for await (const chunk of body) {
    bytes += (chunk as Buffer).length;
    if (pauseMs) await new Promise((resolve) => setTimeout(resolve, pauseMs));
  }
  return bytes;
}

describe("GraphConnection.getStream", () => {
  it("hands over the content as a stream, with its type and length", async () => {
    const counter = { requests: 0 };
    const result = await h.runtime.graph.getStream(valuePath, async (body, info) => ({ bytes: await drain(body), info }), counter);
    expect(result).toEqual({ bytes: size, info: { contentType: "application/octet-stream", contentLength: size } });
    expect(counter.requests).toBe(1);
  });

  it("times out on silence only: a slow reader that keeps receiving outlives the timeout", async () => {
    const graph = connection(400);
    const started = Date.now();
    // About 30 chunks with 40 ms between reads: well over the 400 ms timeout in all.
    const bytes = await graph.getStream(valuePath, (body) => drain(body, 40));
    expect(bytes).toBe(size);
    expect(Date.now() - started).toBeGreaterThan(400);
  });

  it("fails as a Timeout when Graph does not answer within the timeout", async () => {
    h.sim.injectFault({ mailbox: mb.address, pathIncludes: "$value", kind: "hang", ms: 3_000 });
    try {
      const failure = await connection(300).getStream(valuePath, (body) => drain(body)).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(GraphRequestError);
      expect(failure).toMatchObject({ status: 0, code: "Timeout" });
    } finally {
      h.sim.clearFaults();
    }
  });

  it("refreshes an expired token once, and reports Graph's errors as GraphRequestError", async () => {
    const graph = connection(10_000);
    expect(await graph.getStream(valuePath, (body) => drain(body))).toBe(size);
    h.sim.expireAccessTokens();
    expect(await graph.getStream(valuePath, (body) => drain(body))).toBe(size);
    h.sim.injectFault({ mailbox: mb.address, pathIncludes: "$value", status: 429, retryAfterSeconds: 7 });
    const throttled = await graph.getStream(valuePath, (body) => drain(body)).catch((error: unknown) => error);
    expect(throttled).toMatchObject({ status: 429, code: "TooManyRequests", retryAfterMs: 7000 });
    const missing = await graph.getStream(valuePath.replace(/attachments\/[^/]+/, "attachments/nope"), (body) => drain(body)).catch((error: unknown) => error);
    expect(missing).toMatchObject({ status: 404, code: "ErrorItemNotFound" });
  });
});
