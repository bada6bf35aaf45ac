/**
 * The Graph client's failures as the product sees them. The GraphError values are built the way the
 * client's error handler builds them (GraphErrorHandler: from Graph's error body, from its own parse
 * error, or from a body it could not read); the integration tests drive the real client.
 */
import { GraphError } from "@microsoft/microsoft-graph-client";
import { describe, expect, it } from "vitest";
import { fromGraphClientError, GraphRequestError, isSyncStateLost } from "../../shared/graph/graph-errors.js";

function fromGraphBody(status: number, body: { code?: string; message?: string }): GraphError {
  const error = new GraphError(status, body.message);
  error.code = body.code ?? null!;
  error.body = JSON.stringify(body);
  return error;
}

function fromNativeError(status: number, native: Error): GraphError {
  const error = new GraphError(status, "", native);
  error.code = native.name;
  error.body = native.toString();
  return error;
}

describe("Graph client failures", () => {
  it.each([
    ["Graph's error body", fromGraphBody(410, { code: "syncStateNotFound", message: "The sync state generation is not found." }), 410, "syncStateNotFound"],
    ["an empty JSON body (the client's SyntaxError)", fromNativeError(410, new SyntaxError("Unexpected end of JSON input")), 410, "Http410"],
    ["a body that is not JSON at all", fromNativeError(503, new SyntaxError("Unexpected token '<'")), 503, "Http503"],
    ["no content type (the client keeps the stream)", Object.assign(new GraphError(507), { body: {} }), 507, "Http507"],
    ["Graph's error body without a code", fromGraphBody(502, { message: "Bad gateway" }), 502, "Http502"],
  ])("%s → status and code", (_name, clientError, status, code) => {
    const error = fromGraphClientError(clientError);
    expect(error).toBeInstanceOf(GraphRequestError);
    expect(error).toMatchObject({ status, code });
    expect(error.message).not.toMatch(/SyntaxError|JSON|Unexpected/);
  });

  it("no HTTP answer is a network failure or a timeout", () => {
    expect(fromGraphClientError(fromNativeError(-1, Object.assign(new Error("aborted"), { name: "TimeoutError" })))).toMatchObject({ status: 0, code: "Timeout" });
    expect(fromGraphClientError(fromNativeError(-1, new TypeError("fetch failed")))).toMatchObject({ status: 0, code: "NetworkError" });
  });

  it("a lost sync state is recognised by status or by any documented code, whatever its casing", () => {
    expect(isSyncStateLost(fromGraphClientError(fromNativeError(410, new SyntaxError("Unexpected end of JSON input"))))).toBe(true);
    expect(isSyncStateLost(new GraphRequestError({ status: 400, code: "syncStateNotFound", message: "" }))).toBe(true);
    expect(isSyncStateLost(new GraphRequestError({ status: 404, code: "SYNCSTATEINVALID", message: "" }))).toBe(true);
    expect(isSyncStateLost(new GraphRequestError({ status: 400, code: "BadRequest", message: "" }))).toBe(false);
    expect(isSyncStateLost(new GraphRequestError({ status: 503, code: "resyncRequired", message: "" }))).toBe(false);
  });
});
