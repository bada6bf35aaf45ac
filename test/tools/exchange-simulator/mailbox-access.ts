/** Whether a Graph caller may reach a mailbox: shared by the mailbox endpoints and subscriptions. */
import { GraphError } from "./graph-error.js";
import type { AccessGrant } from "./identity.js";
import type { Mailbox } from "./mailbox-model.js";
import type { SimulatorContext } from "./simulator-context.js";

/**
 * The mailbox checks of every mailbox endpoint, in Graph's order: a user of the token's tenant
 * (404 ErrorInvalidUser), the application access policy (403), a mailbox Graph can reach (404).
 */
export function requireMailboxAccess(
  context: SimulatorContext,
  grant: AccessGrant,
  mailbox: Mailbox | undefined,
  userSegment: string | undefined,
): asserts mailbox is Mailbox {
  if (!mailbox || mailbox.tenantId !== grant.tenantId) {
    throw new GraphError(404, "ErrorInvalidUser", `The requested user '${userSegment}' is invalid.`);
  }
  if (!context.identity.mayAccessMailbox(grant.clientId, mailbox)) {
    throw new GraphError(403, "ErrorAccessDenied", "Access to OData is disabled.");
  }
  if (mailbox.kind === "onPremises" || mailbox.kind === "inactive") {
    throw new GraphError(404, "MailboxNotEnabledForRESTAPI", "The mailbox is either inactive, soft-deleted, or is hosted on-premise.");
  }
}
