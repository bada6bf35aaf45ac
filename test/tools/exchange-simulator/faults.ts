/**
 * Injected failures and latency, to prove the product survives what Exchange Online and the
 * network do in practice: error answers with Retry-After, dropped connections, slow answers.
 *
 * A fault with `mailbox` or without `pathIncludes` applies to Graph requests only; a fault whose
 * `pathIncludes` matches another path (e.g. "oauth2/v2.0/token") applies there too. Faults never
 * apply to the control API. A "hang" fault delays the request by `ms` and then lets it proceed
 * normally (a client with a shorter timeout sees a timeout; it also holds a concurrency slot).
 */
import type { Mailbox } from "./mailbox-model.js";

interface FaultMatch {
  /** Address or id of the mailbox the Graph request addresses. */
  mailbox?: string;
  /** Substring of the request path and query. */
  pathIncludes?: string;
  method?: string;
  /** How many matching requests fail; default 1. */
  times?: number | "forever";
}

export type FaultSpec = FaultMatch &
  (
    /** `emptyBody`: the status with a JSON content type and no body at all, as some Graph front ends answer. */
    | { kind?: "status"; status: number; code?: string; message?: string; retryAfterSeconds?: number; emptyBody?: boolean }
    | { kind: "reset" }
    | { kind: "hang"; ms: number }
  );

export interface LatencySpec {
  minMs: number;
  maxMs: number;
  mailbox?: string;
}

export interface FaultRequest {
  pathAndQuery: string;
  method: string;
  isGraph: boolean;
  mailbox?: Mailbox;
}

const defaultCodes: Record<number, string> = {
  400: "BadRequest",
  401: "InvalidAuthenticationToken",
  403: "ErrorAccessDenied",
  404: "ErrorItemNotFound",
  429: "TooManyRequests",
  500: "ErrorInternalServerError",
  502: "BadGateway",
  503: "ServiceUnavailable",
  504: "GatewayTimeout",
};

export function defaultFaultCode(status: number): string {
  return defaultCodes[status] ?? "UnknownError";
}

export class FaultInjector {
  private faults: Array<{ spec: FaultSpec; remaining: number }> = [];
  private latencies: LatencySpec[] = [];
  faultsFired = 0;

  inject(spec: FaultSpec): void {
    const times = spec.times ?? 1;
    this.faults.push({ spec, remaining: times === "forever" ? Number.POSITIVE_INFINITY : times });
  }

  clear(): void {
    this.faults = [];
  }

  /** The first matching fault, consuming one of its `times`. */
  take(request: FaultRequest): FaultSpec | undefined {
    const entry = this.faults.find((f) => f.remaining > 0 && matches(f.spec, request));
    if (!entry) return undefined;
    entry.remaining--;
    this.faultsFired++;
    return entry.spec;
  }

  /** A mailbox-specific latency replaces the global one for that mailbox; {0,0} clears. */
  setLatency(spec: LatencySpec): void {
    const key = spec.mailbox?.toLowerCase();
    this.latencies = this.latencies.filter((l) => l.mailbox?.toLowerCase() !== key);
    if (spec.maxMs > 0) this.latencies.push(spec);
  }

  latencyMs(mailbox: Mailbox | undefined): number {
    const specific = mailbox && this.latencies.find((l) => l.mailbox && isMailbox(l.mailbox, mailbox));
    const spec = specific ?? this.latencies.find((l) => !l.mailbox);
    if (!spec) return 0;
    return spec.minMs + Math.random() * Math.max(0, spec.maxMs - spec.minMs);
  }

  reset(): void {
    this.faults = [];
    this.latencies = [];
    this.faultsFired = 0;
  }
}

function isMailbox(idOrAddress: string, mailbox: Mailbox): boolean {
  const key = idOrAddress.toLowerCase();
  return key === mailbox.id || key === mailbox.address.toLowerCase();
}

function matches(spec: FaultSpec, request: FaultRequest): boolean {
  if (spec.method && spec.method.toUpperCase() !== request.method.toUpperCase()) return false;
  if (spec.mailbox && !(request.mailbox && isMailbox(spec.mailbox, request.mailbox))) return false;
  if (spec.pathIncludes) return request.pathAndQuery.includes(spec.pathIncludes);
  return request.isGraph;
}
