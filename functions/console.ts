/**
 * GET /api/console/…: the admin console (a static page built by `npm run build`) and its sign-in
 * configuration (config.json). No token: it serves files only; the page then calls the API with
 * the signed-in user's token. Anonymous in Azure too, since a browser cannot hold a function key.
 */
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { json } from "../shared/api/http-responses.js";
import { consoleDirectory, consoleFile, consoleSignIn } from "../shared/console/static-files.js";
import { defineFunction } from "../shared/hosting/function-registry.js";
import { getRuntime } from "../shared/runtime.js";

const directory = consoleDirectory(import.meta.url);

export async function consoleHandler(request: HttpRequest, _context: InvocationContext): Promise<HttpResponseInit> {
  const requested = request.params.path ?? "";
  if (requested === "config.json") return { ...json(200, { apiBase: "../", signIn: consoleSignIn((await getRuntime()).env) }), headers: { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store" } };
  // /api/console without a slash: relative asset paths need the folder form.
  if (requested === "" && !new URL(request.url).pathname.endsWith("/")) return { status: 308, headers: { Location: `${new URL(request.url).pathname}/` } };
  const answer = consoleFile(directory, requested);
  if (answer.status !== 200) return json(answer.status, { error: { code: answer.status === 404 ? "NotFound" : "ConsoleNotBuilt", message: answer.message } });
  return {
    status: 200,
    body: answer.body,
    headers: {
      "Content-Type": answer.contentType,
      "Cache-Control": answer.cacheControl,
      // The page loads only its own files and talks only to this app (and Entra ID to sign in).
      "Content-Security-Policy": "default-src 'self'; connect-src 'self' https://login.microsoftonline.com; frame-src https://login.microsoftonline.com; img-src 'self' data:; style-src 'self'; base-uri 'none'; frame-ancestors 'none'",
      "X-Content-Type-Options": "nosniff",
    },
  };
}

defineFunction({ kind: "http", name: "console", route: "console/{*path}", methods: ["GET"], handler: consoleHandler });
