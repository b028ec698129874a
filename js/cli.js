#!/usr/bin/env node
// anchore-gate: the command-line front end. It reads options, files and the environment, hands
// everything to the WASM core, sends the core's requests, prints its events and writes its files.
import { realpathSync } from 'node:fs';
import { appendFile, mkdir, readdir, readFile, realpath, stat, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { randomInt, X509Certificate } from 'node:crypto';

import { evaluate, logLine, parseAllowlist, parseImageArg, parseImageList, renderSummary, version } from './core.js';
import { withReportHtml } from './report-html.js';
import { writeReport } from './report-writer.js';
import { runGate } from './run.js';

const HELP = `anchore-gate ${version}: container-image security gate for Anchore Engine (v1) and Anchore Enterprise (v2)

usage: anchore-gate [IMAGE_LIST_FILE] [options]
       anchore-gate evaluate FILE|DIR... [gate options]     (the gate with no engine: a saved
                             anchore-gate.json or AnchoreReport/, raw engine answers, grype -o json)
       anchore-gate demo [--api v1|v2] [--report-dir DIR]   (runs against a bundled engine SIMULATOR)

IMAGE_LIST_FILE (default ./anchore_images, unless --image is given and no file is named) holds one
\`IMAGE [DOCKERFILE]\` per line; # starts a comment; Dockerfile paths are relative to the current directory.

options:
  --image REF[=DOCKERFILE]   add an image without a file (repeatable)
  --engine-url URL           or env ANCHORE_CLI_URL; ending in /v1 or /v2 picks the API, else it is detected
  --user USER                or env ANCHORE_CLI_USER
  --password PASS            or env ANCHORE_CLI_PASS (also --password-file FILE)
  --account NAME             or env ANCHORE_CLI_ACCOUNT (sent as x-anchore-account)
  --insecure                 do not verify TLS certificates (or env ANCHORE_CLI_SSL_VERIFY=false)
  --ca-cert FILE             trust this PEM CA certificate too
  --policy ID                policy bundle id (default: the account's active policy)
  --annotation KEY=VALUE     image annotation (repeatable)
  --no-autosubscribe         do not subscribe to tag updates
  --force                    re-analyze even if the engine has the image
  --exclude-base             drop findings and vulnerabilities inherited from the base image
  --vuln-type all|os|non-os  default all
  --timeout SECONDS          longest wait for one image, default 1500
  --poll-interval SECONDS    longest pause between status polls, default 5
  --request-timeout SECONDS  longest wait for one HTTP answer, default 60
  --concurrency N            requests in flight at once, default 8 (all images are submitted at once)
  --no-fail-on-stop          exit 0 even when a policy says STOP
  --no-fail-on-error         exit 0 even after errors
  --fail-on-warn             a policy WARN fails the gate too
  --fail-on-severity LEVEL   fail on a vulnerability at or above LEVEL (Critical, High, Medium,
                             Low, Negligible, Unknown — Unknown ranks lowest)
  --only-fixed               with --fail-on-severity: count only vulnerabilities that have a fix
  --allowlist FILE           YAML or JSON allowlist of vulnerabilities (see README); entries may expire
  --report-dir DIR           default ./AnchoreReport
  --sarif FILE               also write the SARIF 2.1.0 report (anchore-gate.sarif) to FILE
  --junit FILE               also write the JUnit XML report (anchore-gate-junit.xml) to FILE
  --summary FILE             write the Markdown summary to FILE (appended if FILE is $GITHUB_STEP_SUMMARY)
  --quiet                    print only problems and the summary
  --debug                    print every request and retry
  --version, --help

exit codes: 0 pass; 1 a policy said STOP (with fail-on-stop); 2 an error kept the gate from a
complete decision (with fail-on-error); 2 wins over 1.`;

const OPTIONS = {
  image: { type: 'string', multiple: true },
  'engine-url': { type: 'string' },
  user: { type: 'string' },
  password: { type: 'string' },
  'password-file': { type: 'string' },
  account: { type: 'string' },
  insecure: { type: 'boolean' },
  'ca-cert': { type: 'string' },
  policy: { type: 'string' },
  annotation: { type: 'string', multiple: true },
  'no-autosubscribe': { type: 'boolean' },
  force: { type: 'boolean' },
  'exclude-base': { type: 'boolean' },
  'vuln-type': { type: 'string' },
  timeout: { type: 'string' },
  'poll-interval': { type: 'string' },
  'request-timeout': { type: 'string' },
  concurrency: { type: 'string' },
  'no-fail-on-stop': { type: 'boolean' },
  'no-fail-on-error': { type: 'boolean' },
  'fail-on-warn': { type: 'boolean' },
  'fail-on-severity': { type: 'string' },
  'only-fixed': { type: 'boolean' },
  allowlist: { type: 'string' },
  'report-dir': { type: 'string' },
  sarif: { type: 'string' },
  junit: { type: 'string' },
  summary: { type: 'string' },
  quiet: { type: 'boolean' },
  debug: { type: 'boolean' },
  version: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  api: { type: 'string' },
};

export class UsageError extends Error {}

function seconds(name, value, fallback) {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--${name}: expected a positive number of seconds, got ${JSON.stringify(value)}`);
  return Math.round(n * 1000);
}

function falsy(value) {
  return /^(false|no|n|0|off)$/i.test(value ?? '');
}

/** Splits `http://user:pass@host/v1` into the URL the core sees and the credentials. */
function credentialsFromUrl(url) {
  try {
    const u = new URL(url);
    if (!u.username && !u.password) return {};
    // A '%' that starts no escape (`pa%ss`) is the password's own character.
    const decode = (s) => { try { return decodeURIComponent(s); } catch { return s; } };
    return { user: decode(u.username), password: decode(u.password) };
  } catch {
    return {};
  }
}

async function readImages(values, positionals) {
  const images = [];
  let imageListName = null;
  let imageListError = null;
  const listFile = positionals[0] ?? (values.image?.length ? null : 'anchore_images');
  if (listFile) {
    imageListName = listFile;
    try {
      images.push(...parseImageList(await readFile(listFile, 'utf8'), listFile));
    } catch (error) {
      if (error.kind) throw error;
      imageListError = error.code === 'ENOENT'
        ? `no such file (create it with one \`IMAGE [DOCKERFILE]\` per line, or pass --image)`
        : error.message;
    }
  }
  for (const value of values.image ?? []) images.push(parseImageArg(value));
  // The core encodes Dockerfiles; reading them is I/O, so it happens here. Only files inside the
  // working directory (the CI workspace) are read: the list may come from a pull request, and a
  // line like `app:1 /proc/self/environ` must not upload the job's secrets to the engine.
  const workspace = await realpath(process.cwd());
  const inputs = await Promise.all(images.map(async (entry) => {
    if (entry.problem || !entry.dockerfile) return entry;
    try {
      const file = await realpath(path.resolve(entry.dockerfile));
      if (file !== workspace && !file.startsWith(workspace + path.sep)) {
        return { ...entry, dockerfile_error: `it is outside the working directory ${workspace}; Dockerfiles are read only from the workspace` };
      }
      return { ...entry, dockerfile_content: await readFile(file, 'utf8') };
    } catch (error) {
      return { ...entry, dockerfile_error: error.code === 'ENOENT' ? 'no such file' : error.message };
    }
  }));
  return { images: inputs, imageListName, imageListError };
}

function parseAnnotations(list) {
  const annotations = {};
  for (const a of list ?? []) {
    const at = a.indexOf('=');
    if (at <= 0) throw new UsageError(`--annotation: expected KEY=VALUE, got ${JSON.stringify(a)}`);
    annotations[a.slice(0, at)] = a.slice(at + 1);
  }
  return annotations;
}

const SEVERITIES = ['Critical', 'High', 'Medium', 'Low', 'Negligible', 'Unknown'];

/** The gate options of `--fail-on-*`, `--only-fixed` and `--allowlist` (shared by scan and evaluate). */
export async function decisionOptions(values) {
  let severity = null;
  if (values['fail-on-severity'] !== undefined) {
    severity = SEVERITIES.find((s) => s.toLowerCase() === values['fail-on-severity'].toLowerCase());
    if (!severity) throw new UsageError(`--fail-on-severity: expected one of ${SEVERITIES.join(', ')}, got ${JSON.stringify(values['fail-on-severity'])}`);
  }
  if (values['only-fixed'] && !severity) throw new UsageError('--only-fixed needs --fail-on-severity LEVEL');
  let allowlist = [];
  const file = values.allowlist;
  if (file) {
    let text;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      throw new UsageError(`--allowlist: cannot read ${file}: ${error.code ?? error.message}`);
    }
    let data;
    try {
      // YAML 1.2 is a superset of JSON, so one parser reads both; dates stay strings. Loaded
      // here, not at start-up: only --allowlist needs it.
      const { default: YAML } = await import('yaml');
      data = YAML.parse(text);
    } catch (error) {
      throw new UsageError(`--allowlist: ${file} is not valid YAML or JSON: ${error.message.split('\n')[0]}`);
    }
    try {
      allowlist = parseAllowlist(JSON.stringify(data ?? null), file);
    } catch (error) {
      throw new UsageError(error.message);
    }
  }
  return {
    fail_on_stop: !values['no-fail-on-stop'],
    fail_on_error: !values['no-fail-on-error'],
    fail_on_warn: Boolean(values['fail-on-warn']),
    fail_on_severity: severity,
    only_fixed: Boolean(values['only-fixed']),
    allowlist,
    allowlist_source: file ?? null,
  };
}

/** Everything the run needs, from options and environment. Throws UsageError for bad options. */
export async function settings(values, positionals, env) {
  const vulnType = values['vuln-type'] ?? 'all';
  if (!['all', 'os', 'non-os'].includes(vulnType)) throw new UsageError(`--vuln-type: expected all, os or non-os, got ${JSON.stringify(vulnType)}`);
  const concurrency = Number(values.concurrency ?? 8);
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new UsageError(`--concurrency: expected a whole number of at least 1, got ${JSON.stringify(values.concurrency)}`);
  const engineUrl = values['engine-url'] ?? env.ANCHORE_CLI_URL ?? '';
  const fromUrl = credentialsFromUrl(engineUrl);
  let password = values.password ?? env.ANCHORE_CLI_PASS ?? fromUrl.password;
  if (values['password-file']) {
    try {
      password = (await readFile(values['password-file'], 'utf8')).replace(/\r?\n$/, '');
    } catch (error) {
      throw new UsageError(`--password-file: cannot read ${values['password-file']}: ${error.code ?? error.message}`);
    }
  }
  let ca;
  if (values['ca-cert']) {
    try {
      ca = await readFile(values['ca-cert'], 'utf8');
    } catch (error) {
      throw new UsageError(`--ca-cert: cannot read ${values['ca-cert']}: ${error.code ?? error.message}`);
    }
    try {
      new X509Certificate(ca); // eslint-disable-line no-new
    } catch (error) {
      throw new UsageError(`--ca-cert: ${values['ca-cert']} holds no PEM certificate (-----BEGIN CERTIFICATE-----): ${error.message}`);
    }
  }
  const { images, imageListName, imageListError } = await readImages(values, positionals);
  return {
    transport: {
      user: values.user ?? env.ANCHORE_CLI_USER ?? fromUrl.user,
      password,
      account: values.account ?? env.ANCHORE_CLI_ACCOUNT,
      insecure: Boolean(values.insecure) || falsy(env.ANCHORE_CLI_SSL_VERIFY),
      ca,
      timeoutMs: seconds('request-timeout', values['request-timeout'], 60_000),
      userAgent: `anchore-gate/${version} (node ${process.version})`,
    },
    reportDir: values['report-dir'] ?? 'AnchoreReport',
    outputs: { sarif: values.sarif, junit: values.junit, summary: values.summary, stepSummary: env.GITHUB_STEP_SUMMARY },
    config: {
      engine_url: engineUrl,
      image_list_name: imageListName,
      image_list_error: imageListError,
      images,
      policy_id: values.policy ?? null,
      annotations: parseAnnotations(values.annotation),
      autosubscribe: !values['no-autosubscribe'],
      force: Boolean(values.force),
      exclude_base: Boolean(values['exclude-base']),
      vuln_type: vulnType,
      timeout_ms: seconds('timeout', values.timeout, 1_500_000),
      poll_interval_ms: seconds('poll-interval', values['poll-interval'], 5_000),
      concurrency,
      decision: await decisionOptions(values),
      seed: randomInt(1, 2 ** 48),
    },
  };
}

function createPrinter({ quiet, debug, out, images }) {
  const started = Date.now();
  const width = Math.min(48, Math.max(8, ...images.map((i) => i.image.length)));
  const stamp = () => `[${((Date.now() - started) / 1000).toFixed(1).padStart(6)}s]`;
  const label = (index) => (index == null ? ''.padEnd(width) : logLine(images[index]?.image ?? `#${index}`).padEnd(width));
  return {
    event(e) {
      if (e.level === 'debug' && !debug) return;
      if (quiet && (e.level === 'info' || e.level === 'debug')) return;
      out(`${stamp()} ${label(e.image)}  ${logLine(e.message)}`);
    },
    request(t) {
      if (debug) out(`${stamp()} ${label(t.image)}  → ${t.method} ${logLine(t.url)}`);
    },
  };
}

/**
 * A print function whose every line goes through the core's logLine: text from image lists,
 * files and the engine can neither break the line nor be read as a CI runner's command
 * (`::error::…`, `##[stop-commands]…`). The CLI's and the action's output all pass through it;
 * only the action's own workflow commands, escaped by the core, are printed around it.
 */
export function logPrinter(write) {
  return (text) => write(logLine(String(text)));
}

function summaryTable(report) {
  const rows = report.images.map((i) => {
    const v = i.vulnerability_counts;
    return [
      logLine(i.image),
      i.status.toUpperCase(),
      i.final_action ? i.final_action.toUpperCase() : '-',
      String(i.counts.stop),
      String(i.counts.warn),
      String(i.counts.go),
      ['Critical', 'High', 'Medium', 'Low'].map((s) => v[s] ?? 0).join('/'),
    ];
  });
  const header = ['IMAGE', 'RESULT', 'ACTION', 'STOP', 'WARN', 'GO', 'VULNS C/H/M/L'];
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (r) => r.map((cell, c) => (c >= 3 && c <= 5 ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join('  ').trimEnd();
  const lines = [line(header), ...rows.map(line)];
  for (const i of report.images) {
    if (i.error) lines.push(`  ${logLine(i.image)}: ${i.error.kind}: ${logLine(i.error.message)}`);
  }
  return lines;
}

function banner(s, out) {
  const c = s.config;
  const t = s.transport;
  out(`anchore-gate ${version}: ${c.images.length} image(s)${c.image_list_name ? ` from ${c.image_list_name}` : ''} against ${displayUrl(c.engine_url) || '(no engine URL)'}`);
  out(`  user ${t.user ?? '(none)'}, password ${t.password ? '****' : '(none)'}, account ${t.account ?? '(default)'}, TLS verification ${t.insecure ? 'OFF' : 'on'}${t.ca ? ' (+ CA file)' : ''}`);
  out(`  policy ${c.policy_id ?? '(active)'}, vuln type ${c.vuln_type}, timeout ${c.timeout_ms / 1000} s, poll interval ≤ ${c.poll_interval_ms / 1000} s, concurrency ${c.concurrency}, fail on STOP ${c.decision.fail_on_stop}, fail on error ${c.decision.fail_on_error}`);
}

/** The URL without credentials, for printing. */
function displayUrl(url) {
  try {
    const u = new URL(url);
    if (u.protocol === 'http:' || u.protocol === 'https:') {
      u.username = '';
      u.password = '';
      u.search = '';
      u.hash = '';
      return u.toString().replace(/\/$/, '');
    }
  } catch { /* below */ }
  // Not an http(s) URL (e.g. a password with an unencoded '/', or `user:pass@host`): drop
  // everything up to the last '@' and any query, as the core does.
  return url.replace(/^([^:/]*:\/\/)?.*@/s, '$1').replace(/[?#].*$/s, '');
}

function warnings(s, out) {
  const t = s.transport;
  if (t.insecure) out('warning: TLS certificate verification is OFF (--insecure): anyone on the path can read the credentials and forge results');
  try {
    const u = new URL(s.config.engine_url);
    const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(u.hostname) || u.hostname.startsWith('127.');
    if (u.protocol === 'http:' && t.user && !loopback) {
      out(`warning: sending Basic credentials over plain HTTP to ${u.host}; use https://`);
    }
  } catch { /* the core reports a bad URL */ }
}

/** Runs the gate and writes the report; returns the exit code. */
export async function scan(s, { out = logPrinter(console.log), err = logPrinter(console.error), quiet = false, debug = false } = {}) {
  banner(s, quiet ? () => {} : out);
  warnings(s, err);
  // undici is the biggest thing the CLI loads: only a scan needs it (--version, --help, usage
  // errors and `evaluate` start without it).
  const { createTransport } = await import('./http.js');
  const transport = createTransport(s.transport);
  if (transport.proxies && !quiet) out(`  proxy: ${transport.proxies}`);
  const printer = createPrinter({ quiet, debug, out, images: s.config.images });
  const startedAt = new Date();
  let result;
  let coreFailed = false;
  try {
    result = await runGate(s.config, { send: transport.send, onEvent: printer.event, onRequest: printer.request });
  } catch (error) {
    // The core failed (a panic inside WASM, explained by core.js): say what failed, and still
    // leave a report with a row per image.
    err(`anchore-gate: ${error.kind ?? 'internal'}: ${error.message}`);
    result = coreFailureReport(s, error, startedAt);
    coreFailed = true;
  } finally {
    await transport.close();
  }
  // report.html (the viewer with this report inline) last, after every other file.
  const dir = await writeReport(s.reportDir, await withReportHtml(result.files, err));
  if (!coreFailed) await writeOutputs(s, result.files);
  const { report } = result;
  out('');
  for (const line of summaryTable(report)) out(line);
  out('');
  out(`verdict: ${report.verdict.toUpperCase()} (exit ${report.exit_code}); report: ${path.join(dir, 'anchore-gate.json')}`);
  return report.exit_code;
}

/**
 * The report when the core itself failed mid-run: verdict error, exit 2 (0 with
 * --no-fail-on-error), and one row per image from the already-parsed list. Only anchore-gate.json.
 */
function coreFailureReport(s, error, startedAt) {
  const c = s.config;
  const failure = { kind: 'internal', message: `the gate's core failed, so no image was decided: ${error.message}` };
  const exitCode = c.decision?.fail_on_error === false ? 0 : 2;
  const report = {
    schema: 'anchore-gate/report/1',
    tool: { name: 'anchore-gate', version },
    engine: { url: displayUrl(c.engine_url), api: null },
    verdict: 'error',
    exit_code: exitCode,
    started_at: startedAt.toISOString(),
    finished_at: new Date().toISOString(),
    error: failure,
    images: c.images.map((i) => ({
      image: i.image,
      source: i.source,
      dockerfile: i.dockerfile ?? null,
      digest: null,
      status: 'error',
      final_action: null,
      counts: { stop: 0, warn: 0, go: 0, allowlisted: 0 },
      vulnerability_counts: {},
      findings: [],
      vulnerabilities: [],
      error: i.problem ?? failure,
    })),
  };
  report.totals = { images: report.images.length, passed: 0, failed: 0, errored: report.images.length };
  return { report, files: [{ name: 'anchore-gate.json', content: JSON.stringify(report, null, 2) }] };
}

/** `--sarif`, `--junit`, `--summary`: the same renderings as in the report directory. */
async function writeOutputs(s, files) {
  const { sarif, junit, summary, stepSummary } = s.outputs ?? {};
  const content = (name) => files.find((f) => f.name === name).content;
  const write = async (file, text, append = false) => {
    await mkdir(path.dirname(path.resolve(file)), { recursive: true });
    await (append ? appendFile : writeFile)(file, text);
  };
  if (sarif) await write(sarif, content('anchore-gate.sarif'));
  if (junit) await write(junit, content('anchore-gate-junit.xml'));
  if (summary) {
    const markdown = renderSummary(content('anchore-gate.json'), { report_dir: s.reportDir });
    await write(summary, markdown, Boolean(stepSummary) && path.resolve(summary) === path.resolve(stepSummary));
  }
}

/** The files named on the command line; a directory stands for the .json files in it. */
async function readInputs(paths) {
  if (paths.length === 0) throw new UsageError('evaluate: name the files to evaluate (anchore-gate.json, an AnchoreReport/ folder, engine answers, grype -o json output)');
  const inputs = [];
  for (const p of paths) {
    let names = [p];
    try {
      if ((await stat(p)).isDirectory()) {
        names = (await readdir(p)).filter((n) => n.endsWith('.json')).sort().map((n) => path.join(p, n));
        if (names.length === 0) throw new UsageError(`evaluate: ${p} holds no .json file`);
      }
      for (const name of names) inputs.push({ name, content: await readFile(name) });
    } catch (error) {
      if (error instanceof UsageError) throw error;
      throw new UsageError(`evaluate: cannot read ${p}: ${error.code === 'ENOENT' ? 'no such file' : error.message}`);
    }
  }
  return inputs;
}

/** `anchore-gate evaluate`: the same gate and report directory, with no engine. */
async function evaluateFiles(values, paths, { out, err }) {
  if (values['engine-url'] || values.image) throw new UsageError('evaluate reads saved files and talks to no engine: drop --engine-url and --image');
  const inputs = await readInputs(paths);
  const options = await decisionOptions(values);
  let files;
  try {
    files = evaluate(inputs, options, Date.now());
  } catch (error) {
    throw new UsageError(`evaluate: ${error.message}`);
  }
  const report = JSON.parse(files.find((f) => f.name === 'anchore-gate.json').content);
  if (report.images.some((i) => i.no_policy) && !options.fail_on_severity) {
    err('warning: a scanner report (grype) has no policy verdict; without --fail-on-severity nothing in it can fail the gate');
  }
  for (const e of report.allowlist?.expired ?? []) {
    err(`warning: allowlist entry ${e.entry} (${e.matches}) expired on ${e.expires} and no longer applies: ${e.reason}`);
  }
  const s = { reportDir: values['report-dir'] ?? 'AnchoreReport', outputs: { sarif: values.sarif, junit: values.junit, summary: values.summary } };
  const dir = await writeReport(s.reportDir, await withReportHtml(files, err));
  await writeOutputs(s, files);
  out(`anchore-gate ${version}: evaluated ${inputs.length} file(s) with no engine`);
  for (const image of report.images) {
    if (image.status === 'fail') out(`  ${image.image}: FAIL: ${image.gate_failures.join('; ')}`);
  }
  out('');
  for (const line of summaryTable(report)) out(line);
  out('');
  out(`verdict: ${report.verdict.toUpperCase()} (exit ${report.exit_code}); report: ${path.join(dir, 'anchore-gate.json')}`);
  return report.exit_code;
}

async function demo(values, out) {
  const { startEngineDouble, demoScenario } = await import('./engine-double/server.js');
  const api = values.api ?? 'v1';
  if (!['v1', 'v2'].includes(api)) throw new UsageError(`--api: expected v1 or v2, got ${JSON.stringify(api)}`);
  const scenario = demoScenario();
  const engine = await startEngineDouble({ api, scenario });
  out(`DEMO: a bundled engine SIMULATOR (not a real Anchore Engine) is serving API ${api} at ${engine.url}`);
  out('      its images, findings and vulnerabilities are sample data taken from recorded engine responses.');
  out('');
  try {
    const [user, password] = Object.entries(scenario.users ?? { admin: 'foobar' })[0];
    const imageArgs = Object.keys(scenario.images);
    const s = await settings({ ...values, image: imageArgs, 'poll-interval': values['poll-interval'] ?? '1' }, [], {});
    Object.assign(s.transport, { user, password });
    s.config.engine_url = engine.url;
    const code = await scan(s, { out, quiet: values.quiet, debug: values.debug });
    out('');
    out(`DEMO done: against a real engine this run would exit ${code}. Open the report directory, or run`);
    out(`  npx anchore-gate --engine-url https://your-engine/v1 --user U --password-file F your_images_file`);
    return 0;
  } finally {
    await engine.close();
  }
}

export async function main(argv = process.argv.slice(2), env = process.env, rawOut = console.log, rawErr = console.error) {
  const out = logPrinter(rawOut);
  const err = logPrinter(rawErr);
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    err(`anchore-gate: ${error.message}`);
    err('Run anchore-gate --help for the options.');
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    rawOut(HELP);
    return 0;
  }
  if (values.version) {
    out(version);
    return 0;
  }
  try {
    if (positionals[0] === 'demo') return await demo(values, out);
    if (positionals[0] === 'evaluate') return await evaluateFiles(values, positionals.slice(1), { out, err });
    if (values.api) throw new UsageError('--api is only for `anchore-gate demo`; for an engine, end --engine-url in /v1 or /v2');
    if (positionals.length > 1) throw new UsageError(`expected at most one image list file, got ${positionals.length}: ${positionals.join(' ')}`);
    const s = await settings(values, positionals, env);
    return await scan(s, { out, err, quiet: values.quiet, debug: values.debug });
  } catch (error) {
    if (error instanceof UsageError) {
      err(`anchore-gate: ${error.message}`);
      return 2;
    }
    err(`anchore-gate: ${error.kind ? `${error.kind}: ` : ''}${error.message}`);
    if (values.debug && error.stack) for (const line of error.stack.split('\n')) err(line);
    return 2;
  }
}

// Run when executed (also through npm's bin symlink), not when imported by tests or bundled
// into the action (dist/action.js, where import.meta.url is the bundle's).
const self = fileURLToPath(import.meta.url);
if (process.argv[1] && path.basename(self) === 'cli.js' && realpathSync(process.argv[1]) === self) {
  process.exitCode = await main();
}
