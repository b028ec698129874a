// Hostile text in every line the CLI (scan and `evaluate`) and the action print: policy ids,
// finding messages and image names from the engine, image names from grype's JSON and the image
// list, allowlist reasons. The output is read as GitHub's runner reads it (tests/support/
// runner-commands.js, ported from actions/runner) and must carry out no command but the
// action's own masks and annotations.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import YAML from 'yaml';

import { logLine } from '../js/core.js';
import { startEngineDouble } from '../js/engine-double/server.js';
import { healthcheckFinding, makeScenario, vuln, vulnFindings } from '../js/engine-double/scenarios.js';
import { runCli, tempDir } from './support/cli.js';
import { runnerCommands, tryParse, tryParseV2 } from './support/runner-commands.js';

const ROOT = new URL('..', import.meta.url).pathname;
const GRYPE = path.join(ROOT, 'tests/fixtures/grype/grype-image-golden.json');

// Each would be a command if printed as it is (checked below with the same parser).
const FORGED = [
  '::error::forged error',
  '##[error]forged legacy error',
  '::add-mask::Act10n',
  'pol##[stop-commands]hijacked',
  '##[warning]forged warning',
  '::warning file=x,line=1::forged',
  '::stop-commands::tok',
  '#\u00ad#[error]soft hyphen',
  '\u200b::error::zero width',
];
const HOSTILE_POLICY = 'pol##[stop-commands]hijacked';
const HOSTILE_MESSAGE = "Dockerfile ##[error]forged %0A\n::error::second line\r::add-mask::x";

/** Both parses: ordinal, as written; and skipping ignorable characters, as ICU could. */
function allCommands(text) {
  const plain = runnerCommands(text);
  const icu = runnerCommands(text, { ignorable: true });
  return { plain, icu };
}

function assertNoCommands(text, what) {
  const { plain, icu } = allCommands(text);
  assert.deepEqual(plain.commands.map((c) => c.line), [], `${what}: the runner would carry out commands`);
  assert.deepEqual(icu.commands.map((c) => c.line), [], `${what}: with ignorable characters skipped`);
}

test('the parser finds each forged command when printed raw (so the checks below can fail)', () => {
  for (const f of FORGED) {
    const { icu } = allCommands(`prefix text\n${f}\n`);
    assert.equal(icu.commands.length, 1, f);
  }
  // stop-commands hides the next command until the token comes back.
  const stopped = runnerCommands(`x ${HOSTILE_POLICY}\n::error::the action's own\n`);
  assert.deepEqual(stopped.commands.map((c) => c.command), ['stop-commands']);
  assert.equal(stopped.stopped, true);
  const resumed = runnerCommands('##[stop-commands]tok\n::error::lost\n::tok::\n::error::seen\n');
  assert.deepEqual(resumed.commands.map((c) => [c.command, c.data]), [['stop-commands', 'tok'], ['resume-commands', ''], ['error', 'seen']]);
  // The unescaping of both forms (ActionCommand.UnescapeData / Unescape / UnescapeProperty).
  assert.deepEqual(tryParseV2('  ::warning file=a%3Ab,line=2::x%0Ay%25', new Set(['warning'])),
    { command: 'warning', properties: { file: 'a:b', line: '2' }, data: 'x\ny%', form: '::' });
  assert.deepEqual(tryParse('text ##[error file=a%3Bb]m%5D', new Set(['error'])),
    { command: 'error', properties: { file: 'a;b' }, data: 'm]', form: '##[' });
});

test('logLine (the core) leaves no command in any forged text, alone or inside a line', () => {
  for (const f of FORGED) {
    for (const line of [f, `  ${f}`, `[   1.0s] image  ${f}`, `${f}\n${f}`]) {
      const out = logLine(line);
      assert.ok(!/[\r\n]/.test(out), JSON.stringify(out));
      assertNoCommands(out, JSON.stringify(line));
    }
  }
  assert.equal(logLine('plain text: 3 images, policy 2c53a13c'), 'plain text: 3 images, policy 2c53a13c');
});

describe('the CLI and the action against an engine with hostile text', () => {
  let engine;
  const STOP_IMAGE = 'gcr.io/team/app:1';
  const GO_IMAGE = 'docker.io/library/alpine:3.9';
  const HIGH = vuln('CVE-2015-6420', 'High', 'commons-collections', '3.2.1', 'java', { feed_group: 'nvdv2:cves' });
  before(async () => {
    engine = await startEngineDouble({
      api: 'v1',
      scenario: makeScenario({
        policies: [{ id: HOSTILE_POLICY, name: '##[add-mask]name', active: true }],
        images: {
          [STOP_IMAGE]: { analysisMs: 200, findings: [healthcheckFinding({ message: HOSTILE_MESSAGE, action: 'stop' }), ...vulnFindings([HIGH])], vulnerabilities: [HIGH] },
          [GO_IMAGE]: { analysisMs: 200, findings: [], vulnerabilities: [] },
        },
      }),
    });
  });
  after(() => engine?.close());

  // The image list holds lines the core rejects, whose text appears in the error rows.
  const LIST = `${STOP_IMAGE}\n${GO_IMAGE}\n::error::bad line\nx##[error]y z w\n`;

  test('scan: progress, errors, the table and the verdict forge nothing (debug on)', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'images'), LIST);
    const run = await runCli(['images', '--engine-url', engine.url, '--user', 'admin', '--password', 'foobar', '--poll-interval', '0.2', '--debug'], { cwd: dir });
    assert.equal(run.code, 2, run.stdout + run.stderr);
    // The hostile texts did reach the output, escaped.
    assert.match(run.stdout, /policy pol##\\u\{5b\}stop-commands\]hijacked/);
    assert.match(run.stdout, /^\\u\{3a\}:error::bad /m);
    assert.match(run.stdout, /^x##\\u\{5b\}error\]y /m);
    assertNoCommands(run.stdout, 'stdout');
    assertNoCommands(run.stderr, 'stderr');
  });

  test('the action: only its own masks and annotations are commands; the STOP annotation is not lost', async () => {
    const ACTION_YML = YAML.parse(await readFile(path.join(ROOT, 'action.yml'), 'utf8'));
    const dir = await tempDir('anchore-gate-action-log-');
    await writeFile(path.join(dir, 'images'), LIST);
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, GITHUB_WORKSPACE: dir, GITHUB_OUTPUT: path.join(dir, 'out'), GITHUB_STEP_SUMMARY: path.join(dir, 'summary'), RUNNER_DEBUG: '1' };
    await writeFile(env.GITHUB_OUTPUT, '');
    const inputs = Object.fromEntries(Object.entries(ACTION_YML.inputs).map(([k, v]) => [k, String(v.default ?? '')]));
    Object.assign(inputs, { 'engine-url': engine.url, user: 'admin', password: 'foobar', 'image-list': 'images', 'poll-interval': '0.2' });
    for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k.toUpperCase()}`] = v;
    const { code, stdout, stderr } = await new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [path.join(ROOT, ACTION_YML.runs.main)], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (d) => { out += d; });
      child.stderr.on('data', (d) => { err += d; });
      child.on('error', reject);
      child.on('close', (c) => resolve({ code: c, stdout: out, stderr: err }));
    });
    assert.equal(code, 2, stdout + stderr);
    if (process.env.DUMP) await writeFile(process.env.DUMP, stdout);
    assertNoCommands(stderr, 'stderr');
    for (const { commands, stopped } of Object.values(allCommands(stdout))) {
      assert.equal(stopped, false);
      const kinds = commands.map((c) => c.command);
      assert.ok(kinds.every((k) => ['add-mask', 'error', 'warning'].includes(k)), kinds.join(' '));
      assert.ok(commands.every((c) => c.form === '::'), 'no legacy-form command');
      assert.deepEqual(commands.filter((c) => c.command === 'add-mask').map((c) => c.data).sort(), ['YWRtaW46Zm9vYmFy', 'foobar']);
      // The action's own annotation for the STOP image, with its file and line, and the
      // finding's text as data (newlines and all), not as commands.
      const stop = commands.find((c) => c.command === 'error' && c.properties.title?.includes(STOP_IMAGE));
      assert.ok(stop, stdout);
      assert.deepEqual([stop.properties.file, stop.properties.line], ['images', '1']);
      assert.ok(stop.data.includes("##[error]forged %0A\n::error::second line\r::add-mask::x"), stop.data);
      // Every annotation line is one the core wrote: what the parser saw first was the action's own.
      assert.ok(commands.filter((c) => c.command !== 'add-mask').every((c) => c.line.startsWith('::error ') || c.line.startsWith('::warning ')));
    }
  });
});

test('evaluate: grype image names, expired allowlist reasons and saved reports forge nothing', async () => {
  const dir = await tempDir('anchore-gate-evaluate-log-');
  const grype = JSON.parse(await readFile(GRYPE, 'utf8'));
  grype.source.target.userInput = '::add-mask::x ##[stop-commands]tok';
  await writeFile(path.join(dir, 'grype.json'), JSON.stringify(grype));
  await writeFile(path.join(dir, 'allow.yaml'), YAML.stringify({
    entries: [
      { vulnerability: 'CVE-1999-0002', reason: '::error::forged reason\n::add-mask::y', expires: '2020-01-01' },
      { vulnerability: 'CVE-1999-0001', reason: 'x ##[warning]forged', expires: '2020-01-02' },
    ],
  }));
  const first = await runCli(['evaluate', 'grype.json', '--allowlist', 'allow.yaml', '--fail-on-severity', 'critical', '--report-dir', 'R'], { cwd: dir });
  assert.equal(first.code, 1, first.stdout + first.stderr);
  assert.match(first.stderr, /expired on 2020-01-01/);
  assert.match(first.stdout, /FAIL/);
  assertNoCommands(first.stdout, 'stdout');
  assertNoCommands(first.stderr, 'stderr');
  // A saved report (a fork's CI artifact) whose image name and error are hostile.
  const saved = JSON.parse(await readFile(path.join(dir, 'R', 'anchore-gate.json'), 'utf8'));
  saved.images[0].image = '  ::error::saved ##[add-mask]z';
  saved.images[0].status = 'error';
  saved.images[0].error = { kind: 'analysis_failed', message: 'x\n::error::from the error\r##[error]y' };
  await writeFile(path.join(dir, 'saved.json'), JSON.stringify(saved));
  const again = await runCli(['evaluate', 'saved.json', '--report-dir', 'R2'], { cwd: dir });
  assert.equal(again.code, 2, again.stdout + again.stderr);
  assert.match(again.stdout, /\\u\{3a\}:error::saved|::error::saved/);
  assertNoCommands(again.stdout, 'stdout');
  assertNoCommands(again.stderr, 'stderr');
});
