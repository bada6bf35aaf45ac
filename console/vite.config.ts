/** The console's bundle: console/ → dist/console (served by functions/console.ts). */
import { defineConfig } from "vite";

export default defineConfig({
  root: new URL(".", import.meta.url).pathname,
  // Relative asset paths: the page is served under /api/console/ in Azure and on the local host.
  base: "./",
  esbuild: { jsx: "automatic", jsxImportSource: "preact" },
  logLevel: "warn",
  build: {
    outDir: new URL("../dist/console", import.meta.url).pathname,
    emptyOutDir: true,
    target: "es2022",
    sourcemap: false,
  },
});
