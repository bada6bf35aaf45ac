/**
 * The size the 150 MB rule is applied to: PidTagMessageSize when Exchange returned it, else the
 * body plus the attachments' sizes (read from Graph only for such a message), so the rule always
 * applies.
 */
import { estimatedMessageSize, exceedsIncomingLimit } from "../../domain/email-activity.js";
import type { GraphCallCounter, GraphConnection } from "../../graph/graph-connection.js";
import { GraphRequestError } from "../../graph/graph-errors.js";
import type { GraphMessage } from "../../graph/message-fields.js";
import { messageSize } from "./message-mapping.js";

interface AttachmentPage {
  value?: Array<{ size?: number }>;
  "@odata.nextLink"?: string;
}

/** The size, or undefined when the message is gone since its delta page was made (nothing to create). */
export async function sizeForLimit(graph: GraphConnection, userKey: string, message: GraphMessage, counter: GraphCallCounter): Promise<number | undefined> {
  const reported = messageSize(message);
  if (reported !== undefined) return reported;
  const body = message.body?.content ?? "";
  // Over the limit on its body alone: no need to ask for the attachments.
  if (exceedsIncomingLimit(estimatedMessageSize(body, []))) return estimatedMessageSize(body, []);
  const sizes: number[] = [];
  let link: string | undefined = `/users/${encodeURIComponent(userKey)}/messages/${encodeURIComponent(message.id)}/attachments?$select=size`;
  try {
    while (link) {
      const page: AttachmentPage = await graph.get<AttachmentPage>(link, {}, counter);
      sizes.push(...(page.value ?? []).map((attachment) => Number(attachment.size) || 0));
      link = page["@odata.nextLink"];
    }
  } catch (error) {
    if (error instanceof GraphRequestError && error.status === 404) return undefined;
    throw error;
  }
  return estimatedMessageSize(body, sizes);
}
