/**
 * The bodies Graph posts to the notification and lifecycle URLs, parsed item by item: an item that
 * is not what Graph sends is dropped (and counted) without spoiling the others in the batch.
 */
import { z } from "zod";

const changeNotification = z.object({
  // Graph's ids are GUIDs; anything else could not be a table key and names no subscription of ours.
  subscriptionId: z.string().regex(/^[A-Za-z0-9._-]{1,128}$/),
  clientState: z.string().max(128).optional(),
  changeType: z.string().max(64).optional(),
  lifecycleEvent: z.enum(["reauthorizationRequired", "subscriptionRemoved", "missed"]).optional(),
});

export type ChangeNotification = z.infer<typeof changeNotification>;
export type LifecycleEvent = NonNullable<ChangeNotification["lifecycleEvent"]>;

export interface ParsedNotifications {
  items: ChangeNotification[];
  /** Items that are not notifications (wrong shape): dropped. */
  malformed: number;
}

/** `{ value: [...] }` as Graph posts it; anything else is malformed as a whole (items: []). */
export function parseNotifications(body: unknown): ParsedNotifications | undefined {
  if (!body || typeof body !== "object" || !Array.isArray((body as { value?: unknown }).value)) return undefined;
  const items: ChangeNotification[] = [];
  let malformed = 0;
  for (const raw of (body as { value: unknown[] }).value) {
    const parsed = changeNotification.safeParse(raw);
    if (parsed.success) items.push(parsed.data);
    else malformed++;
  }
  return { items, malformed };
}
