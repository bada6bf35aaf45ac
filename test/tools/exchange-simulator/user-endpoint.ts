/** GET /users/{id-or-upn}: the directory view of a mailbox owner. */
import { renderUser, userProperties } from "./graph-json.js";
import { graphJson, type GraphCall } from "./graph-routes.js";
import type { SimResponse } from "./http-server.js";
import { parseSelect } from "./odata-query.js";

export function getUser(call: GraphCall): SimResponse {
  // Directory (Entra) errors use their own code for unknown properties.
  const select = parseSelect(call.query.get("select"), userProperties, "Microsoft.DirectoryServices.User", "Request_BadRequest");
  const contextPath = select ? `users(${select.join(",")})/$entity` : "users/$entity";
  return graphJson(call, contextPath, renderUser(call.mailbox, select));
}
