// Debian's Chromium driven by playwright-core, for the report's tests: a page opened from
// disk with every console error, page error and network request collected.
import { existsSync } from "node:fs";

export const CHROMIUM = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => existsSync(p));

export interface OpenPage {
  page: import("playwright-core").Page;
  errors: string[];
  close(): Promise<void>;
}

export async function openPage(file: string, viewport = { width: 1280, height: 900 }): Promise<OpenPage> {
  const { chromium } = await import("playwright-core");
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
  const page = await browser.newPage({ viewport });
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("request", (q) => {
    if (!q.url().startsWith("file:") && !q.url().startsWith("data:")) errors.push(`network request: ${q.url()}`);
  });
  await page.goto(`file://${file}`);
  return { page, errors, close: () => browser.close() };
}
