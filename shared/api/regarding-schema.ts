/** The CRM record an email is regarding, as every request body gives it: `{ "type", "id" }`. */
import { z } from "zod";
import { text } from "./text-fields.js";

export const regardingBody = z.object({ type: text().min(1).max(100), id: text().min(1).max(128) }).strict();
