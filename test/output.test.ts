// The shared output writers: SARIF validated against the official schema,
// JUnit read back by an XML parser elsewhere (pal-run), and an HTML page
// rendered with escaping and opened in headless Chromium.

import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { renderPage } from '../src/output/html.ts';
import { sarifLog } from '../src/output/sarif.ts';
import { browserSkip, visitPage } from './helpers/browser.ts';
import { sarifErrors } from './helpers/schemas.ts';

describe('SARIF', () => {
  it('a log with rules, locations and properties is valid SARIF 2.1.0', () => {
    const log = sarifLog(
      { name: 'cordon', version: '0.1.0' },
      [{ id: 'dead-binding', short: 'A binding that decides no reachable event' }],
      [
        { ruleId: 'dead-binding', level: 'warning', message: 'dead', file: 'policy/a.psl', line: 3, column: 2 },
        { ruleId: 'dead-binding', level: 'error', message: 'no location', properties: { trace: ['a', 'b'] } },
      ],
    );
    assert.deepEqual(sarifErrors(log), []);
    const loc = log.runs[0]!.results![0]!.locations![0]!.physicalLocation!;
    assert.equal(loc.artifactLocation!.uri, 'policy/a.psl');
    assert.equal(loc.region!.startLine, 3);
  });

  it('the schema check rejects what is not SARIF', () => {
    assert.notDeepEqual(sarifErrors({ version: '2.1.0', runs: [{ results: 3 }] }), []);
    assert.notDeepEqual(sarifErrors({ version: '9', runs: [] }), []);
  });
});

describe('HTML pages', () => {
  it('values are escaped; JSON in a script block cannot close it', () => {
    const html = renderPage('smoke.njk', { title: '<b>x</b>', svg: '<svg></svg>', data: { items: ['</script>'] } });
    assert.match(html, /<title>&lt;b&gt;x&lt;\/b&gt;<\/title>/);
    assert.doesNotMatch(html, /<\/script>"/);
  });

  it('a rendered page opens offline in headless Chromium', { skip: browserSkip() }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cordon-html-'));
    const file = join(dir, 'page.html');
    writeFileSync(
      file,
      renderPage('smoke.njk', { title: 't', svg: '<svg id="g"><circle r="3"/></svg>', data: { items: [1, 2, 3] } }),
    );
    const visit = await visitPage(file, join(dir, 'page.png'), async (page) =>
      page.evaluate(() => ({ items: document.body.dataset.items, svg: document.querySelectorAll('#g circle').length })),
    );
    assert.deepEqual(visit.errors, []);
    assert.deepEqual(visit.blocked, []);
    assert.deepEqual(visit.value, { items: '3', svg: 1 });
  });
});
