// The SARIF file as its real consumers see it: the SARIF Multitool 5.7.0 (`validate` with the
// SARIF, GitHub and GitHub Advanced Security rules) and codeql-action's schema check report no
// error on the demo run, a run with 1,000 findings and a run with allowlisted rows.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { before, describe, test } from 'node:test';

import { startEngineDouble } from '../js/engine-double/server.js';
import { makeScenario, vuln, vulnFindings } from '../js/engine-double/scenarios.js';
import { runCli, tempDir } from './support/cli.js';
import { multitool, schemaErrors } from './support/sarif.js';

const PASSWORD = 'Mult1tool-pw';
const files = {};
let work;

before(async () => {
  const dir = await tempDir('anchore-gate-sarif-consumers-');
  work = dir;
  // The demo (its policy allowlists a finding: a suppressed result).
  const demo = await runCli(['demo', '--report-dir', path.join(dir, 'demo')], { cwd: dir });
  assert.equal(demo.code, 0, demo.stdout + demo.stderr);
  files.demo = path.join(dir, 'demo', 'anchore-gate.sarif');

  // 1,000 vulnerabilities, each also a STOP finding of the stock bundle.
  const vulns = Array.from({ length: 1_000 }, (_, n) => vuln(`CVE-2024-${10_000 + n}`, ['Critical', 'High', 'Medium', 'Low'][n % 4], `pkg${n}`, '1.0', 'dpkg', { fix: n % 2 ? '1.1' : 'None', url: `https://nvd.nist.gov/vuln/detail/CVE-2024-${10_000 + n}` }));
  const scenario = makeScenario({ users: { admin: PASSWORD }, images: { 'docker.io/team/big:1': { analysisMs: 50, findings: vulnFindings(vulns), vulnerabilities: vulns } } });
  const engine = await startEngineDouble({ api: 'v2', scenario });
  try {
    const big = await runCli(['--engine-url', engine.url, '--user', 'admin', '--image', 'docker.io/team/big:1', '--poll-interval', '0.2', '--report-dir', path.join(dir, 'big')], { cwd: dir, env: { ANCHORE_CLI_PASS: PASSWORD } });
    assert.equal(big.code, 1, big.stdout + big.stderr);
  } finally {
    await engine.close();
  }
  files.big = path.join(dir, 'big', 'anchore-gate.sarif');

  // The demo's report decided again with the gate's allowlist: suppressed vulnerabilities.
  await writeFile(path.join(dir, 'allow.yaml'), '- vulnerability: CVE-2018-16868\n  reason: no fix yet\n- package: libgnutls30\n  reason: accepted\n');
  const allowed = await runCli(['evaluate', path.join(dir, 'demo', 'anchore-gate.json'), '--fail-on-severity', 'low', '--allowlist', 'allow.yaml', '--report-dir', path.join(dir, 'allowed')], { cwd: dir });
  assert.ok([0, 1, 2].includes(allowed.code), allowed.stdout + allowed.stderr);
  files.allowed = path.join(dir, 'allowed', 'anchore-gate.sarif');
});

describe('SARIF for code scanning', () => {
  for (const which of ['demo', 'big', 'allowed']) {
    test(`${which}: codeql-action's schema check and the SARIF Multitool (Sarif;Gh;Ghas) report no error`, async () => {
      const log = JSON.parse(await readFile(files[which], 'utf8'));
      if (which === 'big') assert.ok(log.runs[0].results.length >= 1_750, `${log.runs[0].results.length} results: 1,000 vulnerabilities and their 750 STOP/WARN findings`);
      if (which !== 'big') {
        assert.ok(log.runs[0].results.some((r) => r.suppressions?.[0]?.status === 'accepted'), 'a suppressed result is in the file');
      }
      assert.deepEqual(schemaErrors(log), { codeql: [], ajv: [] });
      const found = await multitool(files[which]);
      const errors = found.filter((r) => r.level === 'error');
      assert.deepEqual(errors, [], `the Multitool's errors on ${which}`);
    });
  }

  test('the Multitool does report errors (the drafts\' suppressions[].state, rules without fullDescription)', async () => {
    const log = JSON.parse(await readFile(files.demo, 'utf8'));
    const r = log.runs[0].results.find((x) => x.suppressions);
    r.suppressions[0] = { kind: 'external', state: 'accepted' };
    for (const rule of log.runs[0].tool.driver.rules) delete rule.fullDescription;
    const file = path.join(path.dirname(files.demo), 'broken.sarif');
    await writeFile(file, JSON.stringify(log));
    const errors = (await multitool(file)).filter((x) => x.level === 'error').map((x) => x.ruleId);
    assert.ok(errors.includes('JSON1005'), errors.join());
    assert.ok(errors.includes('GH2012'), errors.join());
  });
});

test('a capped SARIF file says what it left out: in the file, on the console and in the step summary', async () => {
  const run = await runCli(['evaluate', path.join(work, 'big', 'anchore-gate.json'), '--sarif-max-results', '100', '--summary', 'capped.md', '--report-dir', path.join(work, 'capped')], { cwd: work });
  assert.equal(run.code, 1, run.stdout + run.stderr);
  const log = JSON.parse(await readFile(path.join(work, 'capped', 'anchore-gate.sarif'), 'utf8'));
  assert.equal(log.runs[0].results.length, 100);
  // The 100 kept are the most severe: STOP findings and Criticals only.
  assert.ok(log.runs[0].results.every((r) => r.level === 'error'), 'only errors kept');
  const note = log.runs[0].invocations[0].toolExecutionNotifications.find((n) => n.descriptor.id === 'results-capped');
  assert.match(note.message.text, /^1650 of 1750 results left out of the SARIF file \(\d+ STOP, \d+ Critical, 250 High, 250 WARN, 250 Medium, 250 Low\); it keeps the 100 most severe, every image's first: anchore-gate\.json has them all$/);
  assert.ok(run.stdout.includes(`note: ${note.message.text}`), run.stdout);
  const summary = await readFile(path.join(work, 'capped.md'), 'utf8');
  assert.ok(summary.includes('1650 of 1750 results left out of the SARIF file'), summary);
  // Without a cap in the way, no such line.
  const full = await runCli(['evaluate', path.join(work, 'big', 'anchore-gate.json'), '--report-dir', path.join(work, 'uncapped')], { cwd: work });
  assert.ok(!full.stdout.includes('left out'), full.stdout);
  const bad = await runCli(['evaluate', path.join(work, 'big', 'anchore-gate.json'), '--sarif-max-results', 'lots'], { cwd: work });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--sarif-max-results: expected a whole number, got "lots"/);
});
