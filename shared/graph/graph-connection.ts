/**
 * The one way the product talks to Microsoft Graph: the Graph client library with an app-only token
 * from MSAL, `Prefer: IdType="ImmutableId"` (so a move is not a delete plus a new item) and
 * `odata.maxpagesize` on every request, a timeout per request, and every failure turned into a
 * GraphRequestError or TokenRequestError.
 *
 * No retry middleware: throttling and transient failures are decided by the engine (postpone or
 * retry the cycle), not by sleeping inside a request.
 */
import { AuthenticationHandler, Client, HTTPMessageHandler, type AuthenticationProvider } from "@microsoft/microsoft-graph-client";
import type { GraphSettings } from "../config/settings.js";
import { fromGraphClientError, GraphRequestError, parseRetryAfter } from "./graph-errors.js";
import { MailboxRequestGate, mailboxKeyOf } from "./mailbox-request-gate.js";
import type { TokenSource } from "./token-provider.js";

export interface GraphCallOptions {
  /** Page size for collection and delta requests (Prefer: odata.maxpagesize). */
  pageSize?: number;
  /** Times in UTC (Prefer: outlook.timezone="UTC"), so they compare without zone arithmetic. */
  utc?: boolean;
}

/** Counts kept per connection so a cycle can report its Graph cost. */
export interface GraphCallCounter {
  requests: number;
}

export class GraphConnection {
  private readonly client: Client;
  private readonly gate = new MailboxRequestGate();
  readonly endpoint: string;

  constructor(
    private readonly settings: GraphSettings,
    private readonly tokens: TokenSource,
  ) {
    this.endpoint = settings.endpoint;
    const authProvider: AuthenticationProvider = { getAccessToken: () => this.tokens.getToken() };
    const auth = new AuthenticationHandler(authProvider);
    auth.setNext(new HTTPMessageHandler());
    this.client = Client.initWithMiddleware({
      middleware: auth,
      baseUrl: settings.endpoint,
      defaultVersion: "v1.0",
      // The client only attaches tokens to hosts it knows: sovereign clouds and local endpoints.
      customHosts: new Set([new URL(settings.endpoint).hostname]),
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
   * One chunk of an attachment upload session. The upload URL is pre-authenticated: it is called
   * without the app's token, as Graph requires.
   */
  async uploadChunk(uploadUrl: string, chunk: Buffer, offset: number, total: number): Promise<void> {
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
    return this.gate.run(mailboxKeyOf(pathOrLink), async () => {
      // The timeout starts when the request leaves, not while it waits at the gate.
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
