// Opens a page in headless Chromium (Debian's `chromium` package, which
// .ci/run installs) through puppeteer-core. The page must open offline:
// every request that is not file: or data: is blocked and reported. When no
// browser is installed, `browserSkip()` says so plainly and the test skips.

import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import puppeteer, { type Page } from 'puppeteer-core';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

export function chromiumPath(): string | undefined {
  const fromEnv = process.env.CORDON_CHROMIUM;
  if (fromEnv !== undefined && fromEnv !== '') return existsSync(fromEnv) ? fromEnv : undefined;
  return CANDIDATES.find((p) => existsSync(p));
}

/** The reason a browser test cannot run here, or false when it can. */
export function browserSkip(): string | false {
  return chromiumPath() === undefined
    ? 'skipped: headless Chromium is not installed (apt-get install chromium; .ci/run installs it)'
    : false;
}

export interface PageVisit {
  /** console messages of type error, and uncaught page errors */
  readonly errors: string[];
  /** requests the page tried that would need a network */
  readonly blocked: string[];
}

/** Opens `file` and runs `inspect` on the loaded page; a screenshot is written to `screenshot`. */
export async function visitPage<T>(
  file: string,
  screenshot: string,
  inspect: (page: Page) => Promise<T>,
): Promise<PageVisit & { readonly value: T }> {
  const executablePath = chromiumPath();
  if (executablePath === undefined) throw new Error('headless Chromium is not installed');
  const browser = await puppeteer.launch({
    executablePath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    const blocked: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.setRequestInterception(true);
    page.on('request', (r) => {
      const url = r.url();
      if (url.startsWith('file:') || url.startsWith('data:') || url.startsWith('about:')) void r.continue();
      else {
        blocked.push(url);
        void r.abort();
      }
    });
    await page.setViewport({ width: 1280, height: 900 });
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    const value = await inspect(page);
    await page.screenshot({ path: screenshot as `${string}.png`, fullPage: true });
    return { errors, blocked, value };
  } finally {
    await browser.close();
  }
}
