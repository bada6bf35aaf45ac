/**
 * One Exchange mailbox syncs appointments, contacts and tasks with one deployment: the owner's id
 * is stamped on the mailbox's Inbox. Every ACT cycle checks it; another deployment's stamp (it
 * took ownership) stops this one with the "configured with another organization" alert.
 */
import type { GraphConnection } from "../../graph/graph-connection.js";
import { GraphRequestError } from "../../graph/graph-errors.js";
import { ownershipStampId } from "../../graph/ownership-stamp.js";

export async function checkOwnership(graph: GraphConnection, user: string, deploymentId: string): Promise<void> {
  const inbox = await graph.get<{ singleValueExtendedProperties?: Array<{ id: string; value: string }> }>(
    `${user}/mailFolders/inbox?$select=id&$expand=singleValueExtendedProperties($filter=id eq '${ownershipStampId}')`,
  );
  const owner = inbox.singleValueExtendedProperties?.find((p) => p.id.toLowerCase() === ownershipStampId.toLowerCase())?.value;
  if (!owner) {
    await graph.patch(`${user}/mailFolders/inbox`, { singleValueExtendedProperties: [{ id: ownershipStampId, value: deploymentId }] });
    return;
  }
  if (owner !== deploymentId) {
    throw new GraphRequestError({ status: 409, code: "OwnedByAnotherOrganization", message: "Another deployment owns this mailbox's appointments, contacts and tasks." });
  }
}
