// Hostile image names — `../`, absolute paths, control characters, bidirectional overrides,
// extreme length — in the image list and on the command line: nothing is written outside the
// report directory, the report's file names are the gate's own fixed ones, and no raw control
// character reaches the terminal (no escape sequences, no forged CI log lines).
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, test } from 'node:test';

import { startEngineDouble } from '../js/engine-double/server.js';
import { makeScenario } from '../js/engine-double/scenarios.js';
import { listTree, reportFiles, runCli, tempDir } from './support/cli.js';

const PASSWORD = 'P4ths-pw';
const LONG_REPO = `registry.example.com/${Array.from({ length: 7 }, (_, i) => `segment-${i}-${'x'.repeat(20)}`).join('/')}`; // valid, 230 characters
const GOOD = ['docker.io/library/alpine:3.9', `${LONG_REPO}:1`];
const HOSTILE_LINES = [
  '../../../../tmp/escaped:1',
  '/etc/passwd',
  'docker.io/library/alpine:3.9/../../../x',
  '..',
  'registry.example.com/../../evil:1',
  'a%2f..%2f..%2fevil:1',
  'evil\u001b]0;pwned\u0007:1',
  'evil\u001b[2J\u001b[31m:1',
  'forged\u0085::error::pwned:1',
  'bidi\u202eexe.gnp:1',
  'nul\u0000byte:1',
  `${'a'.repeat(100_000)}:1`,
  'C:\\Windows\\System32\\evil:1',
];
// On the command line an image value may even hold a line break.
const HOSTILE_ARGS = ['../../../../tmp/escaped-arg:1', 'x\n::error::forged\n:1', `${'b/'.repeat(5_000)}c:1`];

const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

describe('paths and hostile image names', () => {
  test('nothing is written outside the report directory; file names stay the fixed ones; output stays printable', async () => {
    const sandbox = await tempDir('anchore-gate-paths-');
    const work = path.join(sandbox, 'work', 'deep');
    await mkdir(work, { recursive: true });
    await writeFile(path.join(work, 'anchore_images'), `${[...GOOD.slice(0, 1), ...HOSTILE_LINES, GOOD[1]].join('\n')}\n`);
    const before = await listTree(sandbox);

    const images = Object.fromEntries(GOOD.map((i) => [i, { analysisMs: 100 }]));
    const engine = await startEngineDouble({ api: 'v1', scenario: makeScenario({ users: { admin: PASSWORD }, images }) });
    let run;
    try {
      run = await runCli(['--engine-url', engine.url, '--user', 'admin', '--poll-interval', '0.2', '--debug', '--sarif', 'out/anchore.sarif', ...HOSTILE_ARGS.flatMap((a) => ['--image', a]), 'anchore_images'], {
        cwd: work, env: { ANCHORE_CLI_PASS: PASSWORD },
      });
    } finally {
      await engine.close();
    }
    assert.equal(run.code, 2, run.stderr);

    // Only the report directory (and the asked-for SARIF file) is new in the whole sandbox.
    const after = await listTree(sandbox);
    const added = after.filter((p) => !before.includes(p));
    const reportDir = path.join('work', 'deep', 'AnchoreReport');
    assert.ok(added.every((p) => p.startsWith(`${reportDir}/`) || p === `${reportDir}/` || p.startsWith(path.join('work', 'deep', 'out'))), `written outside the report directory: ${added.join(', ')}`);
    assert.deepEqual(after.filter((p) => before.includes(p)), before, 'nothing was removed');

    const files = await reportFiles(path.join(work, 'AnchoreReport'));
    for (const name of files.names) {
      assert.match(name, /^[a-z0-9][a-z0-9_.-]{0,63}$/, `report file name ${JSON.stringify(name)}`);
    }
    // The raw engine answers are numbered by list position: only the two good images have them.
    const numbered = files.names.filter((n) => n.startsWith('anchoreengine-api-response-')).sort();
    assert.deepEqual(numbered, [
      'anchoreengine-api-response-evaluation-1.json', `anchoreengine-api-response-evaluation-${HOSTILE_LINES.length + 2}.json`,
      'anchoreengine-api-response-vulnerabilities-1.json', `anchoreengine-api-response-vulnerabilities-${HOSTILE_LINES.length + 2}.json`,
    ].sort());

    // Every line and every --image has its row: the good ones pass, each hostile one is an error
    // that quotes it escaped; the names themselves stay intact as data in the JSON report.
    const { report } = files;
    assert.equal(report.images.length, GOOD.length + HOSTILE_LINES.length + HOSTILE_ARGS.length);
    const rows = new Map(report.images.map((i) => [i.image, i]));
    for (const good of GOOD) assert.equal(rows.get(good)?.status, 'pass', good);
    for (const bad of [...HOSTILE_LINES.map((l) => l.split(/\s/)[0]), ...HOSTILE_ARGS]) {
      const row = report.images.find((i) => i.image === bad) ?? report.images.find((i) => i.status === 'error' && bad.startsWith(`${i.image}\u0085`));
      assert.ok(row, `no row for ${JSON.stringify(bad.slice(0, 40))}`);
      assert.equal(row.status, 'error');
      // (NEL, U+0085, is whitespace: that line splits into an image and a "Dockerfile" that does not exist)
      assert.ok(['image_list', 'dockerfile'].includes(row.error.kind), `${row.error.kind}: ${row.error.message.slice(0, 80)}`);
      assert.doesNotMatch(row.error.message, RAW_CONTROL, `raw control character in ${JSON.stringify(row.error.message.slice(0, 80))}`);
    }
    // Only the two good images were sent to the engine.
    const submitted = engine.log.filter((e) => e.method === 'POST').map((e) => e.body.tag);
    assert.deepEqual(submitted.sort(), [...GOOD].sort());

    // The terminal never got a raw control character, so no escape sequence and no line that
    // starts with a CI command; escaped forms are shown instead.
    const output = run.stdout + run.stderr;
    assert.doesNotMatch(output, RAW_CONTROL);
    assert.doesNotMatch(output, /^::error/m);
    assert.ok(output.includes('evil\\u{1b}]0;pwned\\u{7}:1') || output.includes('evil\\u{1b}]0;pwned\\u{7}'), 'the escape sequence is shown escaped');
  });
});
