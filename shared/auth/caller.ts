/**
 * Who is calling, from a validated token's claims (pure). Users come with delegated tokens, the CRM
 * application and other daemons with app-only tokens; both carry their app roles in `roles`.
 */
import { isAppRole, type AppRole } from "./app-roles.js";

export interface Caller {
  /** user: a person signed in (delegated token); app: an application (app-only token); localOperator: `npm start -- --no-auth`. */
  kind: "user" | "app" | "localOperator";
  /** Entra object id of the user or of the application's service principal. */
  objectId: string;
  /** The user's display name, or the application's client id for an app. */
  name: string;
  /** The tenant the token was issued in. */
  tenantId: string;
  /** This API's app roles the token carries (other values of `roles` are ignored). */
  roles: AppRole[];
  /** Directory role template ids (`wids`), for users. */
  directoryRoles: string[];
}

const text = (value: unknown) => (typeof value === "string" ? value : undefined);
const texts = (value: unknown) => (Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : []);

/**
 * `idtyp: app` marks app-only tokens when the API asks for that optional claim (the
 * app-registration script does); without it, an app-only token is the one without `scp` (a
 * delegated token always names the scope the user consented to).
 */
export function callerFromClaims(claims: Record<string, unknown>): Caller {
  const objectId = text(claims.oid) ?? text(claims.sub) ?? "";
  const isApp = claims.idtyp === "app" || (claims.idtyp === undefined && claims.scp === undefined);
  return {
    kind: isApp ? "app" : "user",
    objectId,
    name: isApp ? `application ${text(claims.azp) ?? text(claims.appid) ?? objectId}` : (text(claims.name) ?? objectId),
    tenantId: (text(claims.tid) ?? "").toLowerCase(),
    roles: texts(claims.roles).filter(isAppRole),
    directoryRoles: isApp ? [] : texts(claims.wids).map((w) => w.toLowerCase()),
  };
}

/** Every role, for the local host's explicit --no-auth mode only. */
export function localOperator(roles: readonly AppRole[]): Caller {
  return { kind: "localOperator", objectId: "local-operator", name: "local operator (npm start --no-auth)", tenantId: "", roles: [...roles], directoryRoles: [] };
}
