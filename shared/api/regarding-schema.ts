/** The CRM record an email is regarding, as every request body gives it: `{ "type", "id" }`. */
import { z } from "zod";

export const regardingBody = z.object({ type: z.string().min(1).max(100), id: z.string().min(1).max(128) }).strict();
