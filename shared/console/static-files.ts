/**
 * The admin console's static files (built by `npm run build` into dist/console) and the page's
 * sign-in configuration. Files only: the page calls the API with the signed-in user's token, and
 * every API route checks that token (shared/auth/route-access.ts).
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import type { Environment } from "../config/settings.js";

const contentTypes: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".json": "application/json; charset=utf-8",
};

/**
 * Where the built console is, from the console function's own file: dist/console beside
 * dist/functions when it runs compiled (Azure), <repo>/dist/console when functions/*.ts run under tsx.
 */
export function consoleDirectory(functionModuleUrl: string): string {
  const functionsDir = path.dirname(new URL(functionModuleUrl).pathname);
  const compiled = path.basename(path.dirname(functionsDir)) === "dist";
  return path.resolve(functionsDir, compiled ? "../console" : "../dist/console");
}

export type StaticAnswer = { status: 200; body: Buffer; contentType: string; cacheControl: string } | { status: 404 | 503; message: string };

/**
 * The file for a path under /api/console/. Asset names carry a content hash (vite), so they are
 * cached for a year; index.html is never cached, so a deployment shows at once. Anything that is
 * not a file of the build (a page's route, `..`) gets index.html: the page routes in the browser.
 */
export function consoleFile(directory: string, requested: string): StaticAnswer {
  if (!existsSync(path.join(directory, "index.html"))) {
    return { status: 503, message: "The console is not built: run npm run build (npm start builds it)." };
  }
  const clean = requested.replace(/^\/+/, "");
  const candidate = path.resolve(directory, clean);
  const inside = candidate.startsWith(directory + path.sep);
  const extension = path.extname(candidate);
  if (inside && contentTypes[extension] && existsSync(candidate)) {
    const hashed = clean.startsWith("assets/");
    return { status: 200, body: readFileSync(candidate), contentType: contentTypes[extension]!, cacheControl: hashed ? "public, max-age=31536000, immutable" : "no-cache" };
  }
  if (clean.startsWith("assets/")) return { status: 404, message: `No file ${clean} in the console's build.` };
  return { status: 200, body: readFileSync(path.join(directory, "index.html")), contentType: contentTypes[".html"]!, cacheControl: "no-cache" };
}

export type ConsoleSignIn =
  /** Entra ID with MSAL for the browser: the console's SPA registration asks for the API's scope. */
  | { kind: "entra"; clientId: string; authority: string; scopes: string[] }
  /** The local host's demo tenant: the simulator signs tokens for a role the user picks. */
  | { kind: "localDemo"; url: string }
  /** `npm start --no-auth`: the API asks for no token. */
  | { kind: "none" };

/** What the page needs to sign in, from the app's settings (the local host sets CONSOLE_SIGN_IN). */
export function consoleSignIn(env: Environment): ConsoleSignIn {
  if (env.CONSOLE_SIGN_IN === "localDemo") return { kind: "localDemo", url: "/local/demo-sign-in" };
  if (env.CONSOLE_SIGN_IN === "none") return { kind: "none" };
  const audience = env.API_AUDIENCE ?? "";
  const tenant = env.API_TENANT_ID || env.GRAPH_TENANT_ID || "organizations";
  const authorityHost = (env.LOGIN_AUTHORITY_HOST || "https://login.microsoftonline.com").replace(/\/+$/, "");
  return { kind: "entra", clientId: env.CONSOLE_CLIENT_ID || audience, authority: `${authorityHost}/${tenant}`, scopes: [`api://${audience}/access_as_user`] };
}
