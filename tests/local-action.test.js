// The action under @github/local-action (GitHub's tool for running an action locally): it
// imports js/action.js, calls its exported run() with @actions/core replaced by its own stub,
// reads the inputs from a .env file (hyphenated names, as action.yml spells them) and prints the
// outputs the action set as a table. The table must hold every output, with the run's values.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';

import YAML from 'yaml';

import { startEngineDouble } from '../js/engine-double/server.js';
import { healthcheckFinding, makeScenario, vuln, vulnFindings } from '../js/engine-double/scenarios.js';
import { tempDir } from './support/cli.js';

const ROOT = new URL('..', import.meta.url).pathname;
const LOCAL_ACTION = path.join(ROOT, 'node_modules/@github/local-action/bin/local-action.js');
const ACTION_YML = YAML.parse(await readFile(path.join(ROOT, 'action.yml'), 'utf8'));
const STOP = 'gcr.io/team/app:1';
const GO = 'docker.io/library/alpine:3.9';

let engine;
before(async () => {
  const HIGH = vuln('CVE-2015-6420', 'High', 'commons-collections', '3.2.1', 'java', { feed_group: 'nvdv2:cves' });
  engine = await startEngineDouble({
    api: 'v2',
    scenario: makeScenario({
      users: { admin: 'L0cal-p4ss' },
      images: {
        [GO]: { analysisMs: 200, findings: [], vulnerabilities: [] },
        [STOP]: { analysisMs: 200, findings: [healthcheckFinding(), ...vulnFindings([HIGH])], vulnerabilities: [HIGH] },
      },
    }),
  });
});
after(() => engine?.close());

/** The rows of local-action's "Action Outputs" console.table: `│ i │ 'name' │ 'value' │`. */
function outputsTable(stdout) {
  const at = stdout.indexOf('Action Outputs');
  assert.ok(at >= 0, `no outputs section:\n${stdout.slice(-2000)}`);
  const rows = {};
  for (const line of stdout.slice(at).split('\n')) {
    const m = /^│\s*\d+\s*│\s*'([^']*)'\s*│\s*'([^']*)'\s*│$/.exec(line.trim());
    if (m) rows[m[1]] = m[2];
  }
  return rows;
}

test('@github/local-action runs run() from a .env with hyphenated inputs and shows every output', async () => {
  const dir = await tempDir('anchore-gate-local-action-');
  await writeFile(path.join(dir, 'images'), `# the list\n${GO}\n${STOP}\n`);
  await writeFile(path.join(dir, 'summary.md'), '');
  const env = [
    `INPUT_ENGINE-URL=${engine.url}`,
    'INPUT_USER=admin',
    'INPUT_PASSWORD=L0cal-p4ss',
    `INPUT_IMAGE-LIST=${path.join(dir, 'images')}`,
    'INPUT_POLL-INTERVAL=0.2',
    `INPUT_REPORT-DIR=${path.join(dir, 'Report')}`,
    'INPUT_FAIL-ON-STOP=false',
    `GITHUB_STEP_SUMMARY=${path.join(dir, 'summary.md')}`,
  ];
  await writeFile(path.join(dir, '.env'), `${env.join('\n')}\n`);
  const { code, stdout, stderr } = await new Promise((resolve, reject) => {
    // local-action resolves the stubbed @actions/core with `npm ls` from the working directory.
    const child = spawn(process.execPath, [LOCAL_ACTION, 'run', ROOT, 'js/action.js', path.join(dir, '.env')], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    child.on('error', reject);
    child.on('close', (c) => resolve({ code: c, stdout: out, stderr: err }));
  });
  assert.equal(code, 0, stdout + stderr);
  const outputs = outputsTable(stdout);
  assert.deepEqual(Object.keys(outputs).sort(), Object.keys(ACTION_YML.outputs).sort(), 'every declared output is set');
  const report = JSON.parse(await readFile(path.join(dir, 'Report', 'anchore-gate.json'), 'utf8'));
  assert.equal(report.verdict, 'fail');
  assert.deepEqual(
    { verdict: outputs.verdict, stop: outputs['stop-count'], failed: outputs['failed-images'], errored: outputs['errored-images'] },
    { verdict: 'fail', stop: String(report.totals.stop), failed: '1', errored: '0' },
  );
  assert.equal(outputs['report-json'], path.join(dir, 'Report', 'anchore-gate.json'));
  for (const key of ['sarif-file', 'junit-file', 'html-report']) assert.ok(existsSync(outputs[key]), key);
  // The annotation on the image list's line, through @actions/core's error() (the stub adds endLine).
  assert.match(stdout, new RegExp(`::error title=anchore-gate STOP: ${STOP.replace(/[./]/g, '\\$&')},file=${path.join(dir, 'images').replace(/[./]/g, '\\$&')},line=3,endLine=3::`));
  assert.match(await readFile(path.join(dir, 'summary.md'), 'utf8'), /anchore-gate: FAIL/);
  assert.ok(!stdout.includes('L0cal-p4ss') && !stderr.includes('L0cal-p4ss'), 'the password is never printed');
});
