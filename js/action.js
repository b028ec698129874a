// The GitHub Action's logic, on @actions/core: `run()` is the conventional entry that tools which
// run actions locally (@github/local-action) call; js/action-entry.js calls it on the runner.
// scripts/bundle.sh bundles both, @actions/core included, into dist/action.js (with the .wasm
// beside it), which action.yml runs on node24 from a plain checkout: no npm install.
//
// It reads the inputs, masks the secrets before anything else is printed, runs the same scan as
// the CLI, then sets the step outputs, writes the step summary and the annotations. The summary
// and the annotations are rendered by the core, like the report directory's SARIF and JUnit.
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

import * as core from '@actions/core';

import { annotations, renderSummary } from './core.js';
import { logPrinter, scan, settings } from './cli.js';

/** The runner refuses a step summary file above 1024 KiB. */
const STEP_SUMMARY_LIMIT = 1024 * 1024;
const DEFAULT_IMAGE_LIST = 'anchore_images';

class InputError extends Error {}

/** An input (INPUT_<NAME>, hyphens kept), trimmed. */
function input(name) {
  return core.getInput(name);
}

function booleanInput(name, fallback) {
  const value = input(name);
  if (value === '') return fallback;
  if (['true', 'True', 'TRUE'].includes(value)) return true;
  if (['false', 'False', 'FALSE'].includes(value)) return false;
  let hint = '';
  if (name === 'annotations' && value.includes('=')) hint = ' (image annotations KEY=VALUE go in the input image-annotations)';
  throw new InputError(`input ${name}: expected true or false (true, True, TRUE, false, False, FALSE), got ${JSON.stringify(value)}${hint}`);
}

function secondsInput(name) {
  const value = input(name);
  if (value === '') return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InputError(`input ${name}: expected a positive number of seconds, got ${JSON.stringify(value)}`);
  return value;
}

/** Non-empty lines; `#` starts a comment line. */
function lines(name) {
  return core.getMultilineInput(name).map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
}

/**
 * Every secret in the inputs and the environment, in each form it could be printed in: the
 * password (input or ANCHORE_CLI_PASS), credentials in the engine URL (decoded and as written),
 * token-like query values, and the Basic authorization value.
 */
function secrets(env) {
  const found = new Set();
  const add = (s) => {
    if (!s) return;
    found.add(s);
    for (const line of s.split(/\r?\n/)) if (line.trim().length > 0) found.add(line);
    try {
      found.add(encodeURIComponent(s));
    } catch { /* a lone surrogate */ }
  };
  let password = input('password') || env.ANCHORE_CLI_PASS || '';
  add(password);
  const rawUrl = input('engine-url') || env.ANCHORE_CLI_URL || '';
  let user = input('user') || env.ANCHORE_CLI_USER || '';
  // A '%' that starts no escape is the password's own character (as the CLI reads it).
  const decode = (s) => { try { return decodeURIComponent(s); } catch { return s; } };
  try {
    const url = new URL(rawUrl);
    if (url.password) {
      add(url.password);
      add(decode(url.password));
    }
    if (url.username && url.password) {
      user = user || decode(url.username);
      password = password || decode(url.password);
    }
    for (const [key, value] of url.searchParams) {
      if (/token|key|secret|pass|auth|sig/i.test(key)) add(value);
    }
  } catch {
    // Not a URL the core will accept either; still hide what looks like user:password@.
    const m = /\/\/[^/@:]*:([^/@]*)@/.exec(rawUrl);
    if (m) add(m[1]);
  }
  if (password) add(Buffer.from(`${user}:${password}`).toString('base64'));
  return [...found].filter((s) => s.length > 0);
}

function setOutputs(outputs) {
  for (const [name, value] of Object.entries(outputs)) core.setOutput(name, String(value ?? ''));
}

function runUrl(env) {
  const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repo, GITHUB_RUN_ID: run } = env;
  return server && repo && run ? `${server}/${repo}/actions/runs/${run}` : undefined;
}

/** The CLI's option values from the action's inputs. */
function cliValues(env) {
  const images = lines('images').map((line) => {
    // Also the image list's `IMAGE DOCKERFILE` form.
    const fields = line.split(/\s+/);
    return fields.length === 2 ? `${fields[0]}=${fields[1]}` : line;
  });
  const list = input('image-list') || DEFAULT_IMAGE_LIST;
  // With `images`, the default list file is read only when it is there.
  const useList = !(images.length > 0 && list === DEFAULT_IMAGE_LIST && !existsSync(path.resolve(env.GITHUB_WORKSPACE ?? '.', list)) && !existsSync(list));
  const values = {
    image: images,
    'engine-url': input('engine-url') || undefined,
    user: input('user') || undefined,
    password: input('password') || undefined,
    account: input('account') || undefined,
    insecure: !booleanInput('verify-tls', true),
    'ca-cert': input('ca-cert') || undefined,
    policy: input('policy') || undefined,
    annotation: lines('image-annotations'),
    'no-autosubscribe': !booleanInput('auto-subscribe', true),
    force: booleanInput('force-analyze', false),
    'exclude-base': booleanInput('exclude-base-image', false),
    timeout: secondsInput('timeout'),
    'poll-interval': secondsInput('poll-interval'),
    'no-fail-on-stop': !booleanInput('fail-on-stop', true),
    'no-fail-on-error': !booleanInput('fail-on-error', true),
    'fail-on-warn': booleanInput('fail-on-warn', false),
    'fail-on-severity': input('fail-on-severity') || undefined,
    'only-fixed': booleanInput('only-fixed', false),
    allowlist: input('allowlist') || undefined,
    'report-dir': input('report-dir') || 'AnchoreReport',
  };
  for (const a of values.annotation) {
    if (a.indexOf('=') <= 0) throw new InputError(`input image-annotations: expected KEY=VALUE lines, got ${JSON.stringify(a)}`);
  }
  return { values, positionals: useList ? [list] : [] };
}

async function writeStepSummary(reportText, s, env) {
  const file = env.GITHUB_STEP_SUMMARY;
  if (!file) return;
  const used = existsSync(file) ? statSync(file).size : 0;
  const room = Math.min(1_000_000, STEP_SUMMARY_LIMIT - used - 1024);
  if (room < 4096) {
    core.warning(`no step summary: $GITHUB_STEP_SUMMARY already holds ${used} bytes`, { title: 'anchore-gate' });
    return;
  }
  await core.summary.addRaw(renderSummary(reportText, { report_dir: s.reportDir, run_url: runUrl(env), max_bytes: room })).write();
}

/** Runs the action; sets `process.exitCode` (0 pass, 1 STOP, 2 error) and returns it. */
export async function run(env = process.env) {
  // Before anything else is printed: the runner hides these strings in every later log line.
  for (const secret of secrets(env)) core.setSecret(secret);

  let s;
  let wantSummary;
  let wantAnnotations;
  try {
    wantSummary = booleanInput('step-summary', true);
    wantAnnotations = booleanInput('annotations', true);
    const { values, positionals } = cliValues(env);
    s = await settings(values, positionals, env);
  } catch (error) {
    setOutputs({ verdict: 'error' });
    core.error(error.message, { title: 'anchore-gate: bad input' });
    return (process.exitCode = 2);
  }

  let code;
  let reportText;
  try {
    // Engine and input text reach the log only through logPrinter: it cannot forge a command.
    const print = logPrinter(console.log);
    code = await scan(s, { out: print, err: print, debug: core.isDebug() });
    reportText = readFileSync(path.join(s.reportDir, 'anchore-gate.json'), 'utf8');
  } catch (error) {
    setOutputs({ verdict: 'error' });
    core.error(`${error.kind ? `${error.kind}: ` : ''}${error.message}`, { title: 'anchore-gate' });
    return (process.exitCode = 2);
  }
  const report = JSON.parse(reportText);
  const dir = path.resolve(s.reportDir);
  // A path, or empty when this run did not write the file (e.g. only anchore-gate.json after a
  // failure inside the core).
  const file = (name) => (existsSync(path.join(dir, name)) ? path.join(dir, name) : '');
  const t = report.totals;
  setOutputs({
    verdict: report.verdict,
    'stop-count': t.stop,
    'warn-count': t.warn,
    'go-count': t.go,
    'failed-images': t.failed,
    'errored-images': t.errored,
    'report-dir': dir,
    'report-json': file('anchore-gate.json'),
    'sarif-file': file('anchore-gate.sarif'),
    'junit-file': file('anchore-gate-junit.xml'),
    'html-report': file('report.html'),
  });
  if (wantSummary) {
    try {
      await writeStepSummary(reportText, s, env);
    } catch (error) {
      core.warning(`no step summary: ${error.message}`, { title: 'anchore-gate' });
    }
  }
  if (wantAnnotations) {
    // On the image list's line when the image came from it.
    for (const a of annotations(reportText, 10)) {
      core[a.level](a.message, { title: a.title, file: a.file ?? undefined, startLine: a.line ?? undefined });
    }
  }
  return (process.exitCode = code);
}
