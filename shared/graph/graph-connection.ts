/**
 * The one way the product talks to Microsoft Graph: the Graph client library with an app-only token
 * from MSAL, `Prefer: IdType="ImmutableId"` (so a move is not a delete plus a new item) and
 * `odata.maxpagesize` on every request, a timeout per request, and every failure turned into a
 * GraphRequestError or TokenRequestError.
 *
 * No retry middleware: throttling and transient failures are decided by the engine (postpone or
 * retry the cycle), not by sleeping inside a request.
 */
import { pipeline, Readable, Transform } from "node:stream";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";
import { AuthenticationHandler, Client, HTTPMessageHandler, ResponseType, type AuthenticationProvider } from "@microsoft/microsoft-graph-client";
import type { GraphSettings } from "../config/settings.js";
import { fromGraphClientError, GraphRequestError, parseRetryAfter } from "./graph-errors.js";
import { MailboxRequestGate, mailboxKeyOf, type MailboxLane } from "./mailbox-request-gate.js";
import type { TokenSource } from "./token-provider.js";

export interface GraphCallOptions {
  /** Page size for collection and delta requests (Prefer: odata.maxpagesize). */
  pageSize?: number;
  /** Times in UTC (Prefer: outlook.timezone="UTC"), so they compare without zone arithmetic. */
  utc?: boolean;
}

/** What a raw content response says about its body. */
export interface RawContentInfo {
  contentType?: string;
  contentLength?: number;
}

/** A raw response that is not content: Graph's error JSON, as the JSON calls report it. */
async function errorOfRawResponse(response: Response): Promise<GraphRequestError> {
  const body = (await response.json().catch(() => ({}))) as { error?: { code?: string; message?: string } };
  return new GraphRequestError({
    status: response.status,
    code: body.error?.code ?? `Http${response.status}`,
    message: body.error?.message ?? `Graph answered ${response.status} without an error body.`,
    retryAfterMs: parseRetryAfter(response.headers.get("Retry-After")),
    requestId: response.headers.get("request-id") ?? undefined,
  });
}

/** Counts kept per connection so a cycle can report its Graph cost. */
export interface GraphCallCounter {
  requests: number;
}

/** A profile's connection limit as requests see it (storage/connection-slots.ts). */
export interface ConnectionAdmission {
  /** Resolves with the function that gives the connection back. */
  enter(): Promise<() => void>;
}

/** Under what a connection's requests go out: the mailbox lane and the profile's connections. */
export interface RequestScope {
  lane: MailboxLane;
  connections?: ConnectionAdmission;
}

export class GraphConnection {
  private readonly client: Client;
  private readonly gate: MailboxRequestGate;
  private readonly scope: RequestScope;
  readonly endpoint: string;

  constructor(
    private readonly settings: GraphSettings,
    private readonly tokens: TokenSource,
    options: { gate?: MailboxRequestGate; scope?: RequestScope; client?: Client } = {},
  ) {
    this.endpoint = settings.endpoint;
    // One gate per process (the runtime's), shared by every connection, so lanes count every caller.
    this.gate = options.gate ?? new MailboxRequestGate();
    // Undeclared callers go in the shared lane, the one that holds across workers.
    this.scope = options.scope ?? { lane: "shared" };
    this.client = options.client ?? this.newClient();
  }

  /** The same connection (client, tokens, gate) with requests in another lane or under a profile's limit. */
  scoped(scope: RequestScope): GraphConnection {
    return new GraphConnection(this.settings, this.tokens, { gate: this.gate, scope, client: this.client });
  }

  private newClient(): Client {
    const authProvider: AuthenticationProvider = { getAccessToken: () => this.tokens.getToken() };
    const auth = new AuthenticationHandler(authProvider);
    auth.setNext(new HTTPMessageHandler());
    return Client.initWithMiddleware({
      middleware: auth,
      baseUrl: this.settings.endpoint,
      defaultVersion: "v1.0",
      // The client only attaches tokens to hosts it knows: sovereign clouds and local endpoints.
      customHosts: new Set([new URL(this.settings.endpoint).hostname]),
    });
  }

  /**
   * Every request's way out: its mailbox lane first (a lane waits for its own mailbox only), then
   * a connection of the profile, held until the work is done.
   */
  private admitted<T>(pathOrLink: string, work: () => Promise<T>): Promise<T> {
    return this.gate.run(mailboxKeyOf(pathOrLink), this.scope.lane, async () => {
      if (!this.scope.connections) return work();
      const leave = await this.scope.connections.enter();
      try {
        return await work();
      } finally {
        leave();
      }
    });
  }

  /** GET a path (relative to /v1.0) or an absolute link Graph returned (nextLink, deltaLink). */
  get<T>(pathOrLink: string, options: GraphCallOptions = {}, counter?: GraphCallCounter): Promise<T> {
    return this.call<T>("GET", pathOrLink, undefined, options, counter);
  }

  patch<T>(path: string, body: unknown, counter?: GraphCallCounter): Promise<T> {
    return this.call<T>("PATCH", path, body, {}, counter);
  }

  post<T>(path: string, body: unknown, counter?: GraphCallCounter): Promise<T> {
    return this.call<T>("POST", path, body, {}, counter);
  }

  delete(path: string, counter?: GraphCallCounter): Promise<void> {
    return this.call<void>("DELETE", path, undefined, {}, counter);
  }

  /**
   * GET of raw content (an attachment's `$value`), handed to `consume` as a stream, so content of
   * any size passes through without being held whole. The request keeps its place at the
   * mailbox's gate until `consume` is done with the stream. The timeout is for silence: it starts
   * when the request leaves and again at every chunk received, so a large download that keeps
   * moving is never cut off, and one that stalls fails as a Timeout.
   */
  async getStream<T>(path: string, consume: (body: Readable, info: RawContentInfo) => Promise<T>, counter?: GraphCallCounter): Promise<T> {
    const token = await this.tokens.getToken();
    try {
      return await this.sendForStream(path, consume, counter);
    } catch (error) {
      // Refused before any content was handed over: a fresh token, then once more (as call() does).
      if (error instanceof GraphRequestError && error.status === 401) {
        await this.tokens.refreshToken(token);
        return this.sendForStream(path, consume, counter);
      }
      throw error;
    }
  }

  private async sendForStream<T>(path: string, consume: (body: Readable, info: RawContentInfo) => Promise<T>, counter?: GraphCallCounter): Promise<T> {
    if (counter) counter.requests++;
    return this.admitted(path, async () => {
      const controller = new AbortController();
      let timer = setTimeout(() => controller.abort(), this.settings.requestTimeoutMs);
      const quietFor = () => {
        clearTimeout(timer);
        timer = setTimeout(() => controller.abort(), this.settings.requestTimeoutMs);
      };
      const timedOut = () => new GraphRequestError({ status: 0, code: "Timeout", message: "Graph stopped sending the content for longer than the request timeout." });
      try {
        let response: Response;
        try {
          response = (await this.client.api(path).header("Prefer", 'IdType="ImmutableId"').option("signal", controller.signal).responseType(ResponseType.RAW).get()) as Response;
        } catch (error) {
          throw controller.signal.aborted ? timedOut() : fromGraphClientError(error);
        }
        if (!response.ok) throw await errorOfRawResponse(response);
        quietFor();
        const length = Number(response.headers.get("Content-Length"));
        const info: RawContentInfo = { contentType: response.headers.get("Content-Type") ?? undefined, contentLength: Number.isFinite(length) && length >= 0 ? length : undefined };
        const raw = response.body ? Readable.fromWeb(response.body as NodeReadableStream<Uint8Array>) : Readable.from([]);
        const body = new Transform({ transform: (chunk, _encoding, done) => { quietFor(); done(null, chunk); } });
        // pipeline, not pipe: a failed download (abort, reset) fails the stream consume reads.
        pipeline(raw, body, () => undefined);
        try {
          return await consume(body, info);
        } catch (error) {
          throw controller.signal.aborted ? timedOut() : error;
        } finally {
          // Whatever consume left unread is not downloaded.
          body.destroy();
          if (!controller.signal.aborted) controller.abort();
        }
      } finally {
        clearTimeout(timer);
      }
    });
  }

  /**
   * One chunk of an attachment upload session. The upload URL is pre-authenticated: it is called
   * without the app's token, as Graph requires.
   */
  uploadChunk(uploadUrl: string, chunk: Buffer, offset: number, total: number): Promise<void> {
    // Counts as one of the profile's connections; its URL names no mailbox, so it takes no lane.
    return this.admitted(uploadUrl, () => this.putChunk(uploadUrl, chunk, offset, total));
  }

  private async putChunk(uploadUrl: string, chunk: Buffer, offset: number, total: number): Promise<void> {
    let response: Response;
    try {
      response = await fetch(uploadUrl, {
        method: "PUT",
        headers: { "Content-Type": "application/octet-stream", "Content-Length": String(chunk.length), "Content-Range": `bytes ${offset}-${offset + chunk.length - 1}/${total}` },
        body: chunk,
        signal: AbortSignal.timeout(this.settings.requestTimeoutMs),
      });
    } catch (error) {
      const timedOut = (error as Error).name === "TimeoutError";
      throw new GraphRequestError({ status: 0, code: timedOut ? "Timeout" : "NetworkError", message: "The attachment upload could not reach Exchange Online." });
    }
    if (response.status >= 400) {
      const body = (await response.json().catch(() => ({}))) as { error?: { code?: string; message?: string } };
      throw new GraphRequestError({ status: response.status, code: body.error?.code ?? `Http${response.status}`, message: body.error?.message ?? `The attachment upload answered ${response.status}.`, retryAfterMs: parseRetryAfter(response.headers.get("Retry-After")) });
    }
    await response.arrayBuffer();
  }

  private async call<T>(method: "GET" | "PATCH" | "POST" | "DELETE", pathOrLink: string, body: unknown, options: GraphCallOptions, counter?: GraphCallCounter): Promise<T> {
    // Fetch the token first so a token failure is reported as such, not as a Graph failure.
    const token = await this.tokens.getToken();
    try {
      return await this.send<T>(method, pathOrLink, body, options, counter);
    } catch (error) {
      // An expired or revoked token: get a fresh one once, then retry once.
      if (error instanceof GraphRequestError && error.status === 401) {
        await this.tokens.refreshToken(token);
        return this.send<T>(method, pathOrLink, body, options, counter);
      }
      throw error;
    }
  }

  private async send<T>(method: string, pathOrLink: string, body: unknown, options: GraphCallOptions, counter?: GraphCallCounter): Promise<T> {
    const prefer = ['IdType="ImmutableId"'];
    if (options.pageSize) prefer.push(`odata.maxpagesize=${options.pageSize}`);
    if (options.utc) prefer.push('outlook.timezone="UTC"');
    if (counter) counter.requests++;
    return this.admitted(pathOrLink, async () => {
      // The timeout starts when the request leaves, not while it waits for its lane or a connection.
      const request = this.client
        .api(pathOrLink)
        .header("Prefer", prefer.join(", "))
        .option("signal", AbortSignal.timeout(this.settings.requestTimeoutMs));
      try {
        switch (method) {
          case "GET":
            return (await request.get()) as T;
          case "PATCH":
            return (await request.patch(body)) as T;
          case "DELETE":
            return (await request.delete()) as T;
          default:
            return (await request.post(body)) as T;
        }
      } catch (error) {
        throw fromGraphClientError(error);
      }
    });
  }
}
