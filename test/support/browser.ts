/**
 * The system's Chromium for the console's browser tests (Debian's `chromium` package; CHROMIUM_PATH
 * to name another). Never downloaded: puppeteer-core drives the browser that is installed.
 */
import { existsSync } from "node:fs";

const candidates = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome", "/usr/bin/google-chrome-stable"];

export function systemChromium(): string | undefined {
  const named = process.env.CHROMIUM_PATH?.trim();
  if (named) return existsSync(named) ? named : undefined;
  return candidates.find((path) => existsSync(path));
}

export const browserSkipReason = "no Chromium found (apt-get install -y chromium, or set CHROMIUM_PATH); .ci/run installs it";
