// Self-contained HTML pages (audit report, evidence index) rendered with
// nunjucks, autoescaping on: every value a template prints is escaped unless
// the template marks it `| safe` (used only for SVG the layout library drew
// and for JSON embedded by `jsonScript`). A page links nothing: styles and
// scripts are inline, so it opens without a network.

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import nunjucks from 'nunjucks';

const TEMPLATES = join(dirname(fileURLToPath(import.meta.url)), 'templates');

let env: nunjucks.Environment | undefined;

function environment(): nunjucks.Environment {
  if (env === undefined) {
    env = new nunjucks.Environment(new nunjucks.FileSystemLoader(TEMPLATES), {
      autoescape: true,
      throwOnUndefined: true,
      trimBlocks: true,
      lstripBlocks: true,
    });
    // JSON for a <script type="application/json"> block: `<` escaped so no
    // value can close the script element.
    env.addFilter('jsonScript', (value: unknown) => new nunjucks.runtime.SafeString(jsonForScript(value)));
  }
  return env;
}

export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
}

/** Renders `name` (a file in src/output/templates) with `context`. */
export function renderPage(name: string, context: Record<string, unknown>): string {
  return environment().render(name, { ...context, pageStyle: readFileSync(join(TEMPLATES, 'page.css'), 'utf8') });
}
