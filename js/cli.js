#!/usr/bin/env node
// anchore-gate: the command-line front end. It reads options, files and the environment, hands
// everything to the WASM core, sends the core's requests, prints its events and writes its files.
import { realpathSync } from 'node:fs';
import { appendFile, mkdir, readdir, readFile, realpath, stat, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { randomInt, X509Certificate } from 'node:crypto';
import { BlockList, isIPv4, isIPv6 } from 'node:net';

import { displayUrl, dockerfileRefusal, evaluate, failedRun, parseAllowlist, parseImageArg, parseImageList, parseSeverity, version } from './core.js';
import { InputFileError, LIMITS, readRegularFile } from './files.js';
import { ReportDir } from './report-writer.js';
import { monotonicNow, runGate } from './run.js';

const HELP = `anchore-gate ${version}: container-image security gate for Anchore Engine (v1) and Anchore Enterprise (v2)

usage: anchore-gate [IMAGE_LIST_FILE] [options]
       anchore-gate evaluate FILE|DIR... [gate options]     (the gate with no engine: a saved
                             anchore-gate.json or AnchoreReport/, raw engine answers, grype -o json)
       anchore-gate demo [--api v1|v2] [--report-dir DIR]   (runs against a bundled engine SIMULATOR)

IMAGE_LIST_FILE (default ./anchore_images, unless --image is given and no file is named) holds one
\`IMAGE [DOCKERFILE]\` per line; # starts a comment; Dockerfile paths are relative to the current directory.

options:
  --image REF[=DOCKERFILE]   add an image without a file (repeatable)
  --dockerfile-any-name      upload a Dockerfile whose name is not Dockerfile, Dockerfile.*,
                             *.Dockerfile or Containerfile (files in .git/ never are)
  --engine-url URL           or env ANCHORE_CLI_URL; ending in /v1 or /v2 picks the API, else it is detected
  --user USER                or env ANCHORE_CLI_USER
  --password PASS            or env ANCHORE_CLI_PASS; prefer --password-file FILE: the command
                             line is visible to every local user (a warning says so)
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
  --pretty                   write anchore-gate.json indented (default: compact)
  --sarif-max-results N      at most N SARIF results, the most severe of every image first
                             (default 5000, what GitHub code scanning keeps)
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
  'dockerfile-any-name': { type: 'boolean' },
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
  pretty: { type: 'boolean' },
  'sarif-max-results': { type: 'string' },
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
      images.push(...parseImageList((await readRegularFile(listFile, LIMITS.imageList)).toString('utf8'), listFile));
    } catch (error) {
      if (error.kind) throw error;
      imageListError = error.code === 'ENOENT'
        ? `no such file (create it with one \`IMAGE [DOCKERFILE]\` per line, or pass --image)`
        : error.message;
    }
  }
  for (const value of values.image ?? []) images.push(parseImageArg(value));
  // The core encodes Dockerfiles; reading them is I/O, so it happens here. The list may come
  // from a pull request and the engine shows an uploaded Dockerfile to all its users, so only
  // regular files inside the working directory (the CI workspace) that the core does not refuse
  // (version-control metadata such as .git/config, names unlike a Dockerfile) are read, each
  // distinct file once however many lines name it.
  const anyName = Boolean(values['dockerfile-any-name']);
  const workspace = await realpath(process.cwd());
  const reads = new Map();
  const readDockerfile = async (written) => {
    const file = await realpath(path.resolve(written));
    if (file !== workspace && !file.startsWith(workspace + path.sep)) {
      throw new InputFileError(`it is outside the working directory ${workspace}; Dockerfiles are read only from the workspace`);
    }
    const refused = dockerfileRefusal(written.split(path.sep).join('/'), anyName);
    if (refused) throw new InputFileError(refused);
    const relative = path.relative(workspace, file).split(path.sep).join('/');
    const resolved = dockerfileRefusal(relative, anyName);
    if (resolved) throw new InputFileError(`it is ${relative} in the workspace: ${resolved}`);
    if (!reads.has(file)) reads.set(file, readRegularFile(file, LIMITS.dockerfile).then((bytes) => bytes.toString('utf8')));
    return reads.get(file);
  };
  const inputs = await Promise.all(images.map(async (entry) => {
    if (entry.problem || !entry.dockerfile) return entry;
    try {
      return { ...entry, dockerfile_content: await readDockerfile(entry.dockerfile) };
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

/** The gate options of `--fail-on-*`, `--only-fixed` and `--allowlist` (shared by scan and evaluate). */
export async function decisionOptions(values) {
  let severity = null;
  if (values['fail-on-severity'] !== undefined) {
    try {
      severity = parseSeverity(values['fail-on-severity']);
    } catch (error) {
      throw new UsageError(`--fail-on-severity: ${error.message}`);
    }
  }
  if (values['only-fixed'] && !severity) throw new UsageError('--only-fixed needs --fail-on-severity LEVEL');
  let allowlist = [];
  const file = values.allowlist;
  if (file) {
    let text;
    try {
      text = (await readRegularFile(file, LIMITS.allowlist)).toString('utf8');
    } catch (error) {
      throw new UsageError(`--allowlist: cannot read ${file}: ${error instanceof InputFileError ? error.message : error.code ?? error.message}`);
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

/** Where the report goes and how it is written (scan and evaluate). */
function outputSettings(values, env = {}) {
  const max = values['sarif-max-results'];
  if (max !== undefined && !/^\d+$/.test(max)) throw new UsageError(`--sarif-max-results: expected a whole number, got ${JSON.stringify(max)}`);
  return {
    sarif: values.sarif,
    junit: values.junit,
    summary: values.summary,
    stepSummary: env.GITHUB_STEP_SUMMARY,
    pretty: Boolean(values.pretty),
    sarifMaxResults: max === undefined ? undefined : Number(max),
  };
}

/** The core's output options for a run: `render` adds the step summary and annotations. */
function outputOptions(s, render = {}) {
  const o = s.outputs ?? {};
  const summary = render.summary ?? (o.summary ? { report_dir: s.reportDir } : null);
  const options = { pretty: Boolean(o.pretty), summary, max_annotations: render.maxAnnotations ?? 0 };
  if (o.sarifMaxResults !== undefined) options.sarif_max_results = o.sarifMaxResults;
  return options;
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
      password = (await readRegularFile(values['password-file'], LIMITS.passwordFile)).toString('utf8').replace(/\r?\n$/, '');
    } catch (error) {
      throw new UsageError(`--password-file: cannot read ${values['password-file']}: ${error instanceof InputFileError ? error.message : error.code ?? error.message}`);
    }
  }
  let ca;
  if (values['ca-cert']) {
    try {
      ca = (await readRegularFile(values['ca-cert'], LIMITS.caCert)).toString('utf8');
    } catch (error) {
      throw new UsageError(`--ca-cert: cannot read ${values['ca-cert']}: ${error instanceof InputFileError ? error.message : error.code ?? error.message}`);
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
    outputs: outputSettings(values, env),
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
  const label = (index) => (index == null ? ''.padEnd(width) : printable(images[index]?.image ?? `#${index}`).padEnd(width));
  return {
    event(e) {
      if (e.level === 'debug' && !debug) return;
      if (quiet && (e.level === 'info' || e.level === 'debug')) return;
      out(`${stamp()} ${label(e.image)}  ${printable(e.message)}`);
    },
    request(t) {
      if (debug) out(`${stamp()} ${label(t.image)}  → ${t.method} ${printable(t.url)}`);
    },
  };
}

/**
 * Text from image lists, files and the engine, made safe to print on one line: control and
 * bidirectional-override characters are escaped, so no terminal escape and no forged log line
 * (`\n::error::…` in a CI log) gets through.
 */
function printable(text) {
  return String(text).replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u{${c.codePointAt(0).toString(16)}}`);
}

function banner(s, out) {
  const c = s.config;
  const t = s.transport;
  out(`anchore-gate ${version}: ${c.images.length} image(s)${c.image_list_name ? ` from ${c.image_list_name}` : ''} against ${displayUrl(c.engine_url) || '(no engine URL)'}`);
  out(`  user ${t.user ?? '(none)'}, password ${t.password ? '****' : '(none)'}, account ${t.account ?? '(default)'}, TLS verification ${t.insecure ? 'OFF' : 'on'}${t.ca ? ' (+ CA file)' : ''}`);
  out(`  policy ${c.policy_id ?? '(active)'}, vuln type ${c.vuln_type}, timeout ${c.timeout_ms / 1000} s, poll interval ≤ ${c.poll_interval_ms / 1000} s, concurrency ${c.concurrency}, fail on STOP ${c.decision.fail_on_stop}, fail on error ${c.decision.fail_on_error}`);
}

/** `localhost`, 127.0.0.0/8 and ::1 — addresses, not names that merely start with `127.`. */
export function isLoopback(hostname) {
  const host = hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (host === 'localhost') return true;
  if (isIPv4(host)) return host.split('.')[0] === '127';
  if (isIPv6(host)) return loopbackV6.check(host, 'ipv6');
  return false;
}
const loopbackV6 = new BlockList();
loopbackV6.addAddress('::1', 'ipv6');
loopbackV6.addSubnet('::ffff:127.0.0.0', 104, 'ipv6');

function warnings(s, out) {
  const t = s.transport;
  for (const where of s.secretsInArgv ?? []) {
    out(`warning: ${where} on the command line can be read by every local user (ps, /proc) for the whole run; use --password-file FILE or the ANCHORE_CLI_PASS environment variable`);
  }
  if (t.insecure) out('warning: TLS certificate verification is OFF (--insecure): anyone on the path can read the credentials and forge results');
  try {
    const u = new URL(s.config.engine_url);
    const loopback = isLoopback(u.hostname);
    if (u.protocol === 'http:' && t.user && !loopback) {
      out(`warning: sending Basic credentials over plain HTTP to ${u.host}; use https://`);
    }
  } catch { /* the core reports a bad URL */ }
}

/**
 * Runs the gate and writes the report; returns the core's outcome (exit code, totals, the
 * rendered summary and annotations asked for with `render`).
 */
export async function scan(s, { out = console.log, err = console.error, quiet = false, debug = false, render = {} } = {}) {
  banner(s, quiet ? () => {} : out);
  warnings(s, err);
  // undici is the biggest thing the CLI loads: only a scan needs it (--version, --help, usage
  // errors and `evaluate` start without it).
  const { createTransport } = await import('./http.js');
  const transport = createTransport(s.transport);
  if (transport.proxies && !quiet) out(`  proxy: ${transport.proxies}`);
  const printer = createPrinter({ quiet, debug, out, images: s.config.images });
  const wallStart = Date.now();
  const monoStart = monotonicNow();
  const dir = await ReportDir.open(s.reportDir);
  let run;
  let coreFailed = false;
  try {
    run = await runGate(s.config, { send: transport.send, onEvent: printer.event, onRequest: printer.request, saveBody: (file, bytes) => dir.saveBody(file, bytes) });
  } catch (error) {
    // The core failed (a panic inside WASM, explained by core.js): say what failed, and still
    // leave a report with a row per image (the core's own, from the configuration).
    err(`anchore-gate: ${error.kind ?? 'internal'}: ${error.message}`);
    run = failedRun(s.config, monoStart, wallStart, error.message);
    coreFailed = true;
  } finally {
    await transport.close();
  }
  let outcome;
  try {
    outcome = await dir.write((sink) => run.writeFiles(outputOptions(s, render), sink), err);
  } finally {
    run.free();
  }
  if (!coreFailed) await writeOutputs(s, dir, outcome);
  printOutcome(outcome, dir, out);
  return outcome;
}

function printOutcome(outcome, dir, out) {
  out('');
  out(outcome.console);
  if (outcome.sarif_left_out) out(`note: ${outcome.sarif_left_out}`);
  out('');
  out(`verdict: ${outcome.verdict.toUpperCase()} (exit ${outcome.exit_code}); report: ${path.join(dir.dir, 'anchore-gate.json')}`);
}

/** `--sarif`, `--junit`, `--summary`: the same renderings as in the report directory. */
async function writeOutputs(s, dir, outcome) {
  const { sarif, junit, summary, stepSummary } = s.outputs ?? {};
  if (sarif) await dir.copy('anchore-gate.sarif', sarif);
  if (junit) await dir.copy('anchore-gate-junit.xml', junit);
  if (summary && outcome.summary != null) {
    await mkdir(path.dirname(path.resolve(summary)), { recursive: true });
    const append = Boolean(stepSummary) && path.resolve(summary) === path.resolve(stepSummary);
    await (append ? appendFile : writeFile)(summary, outcome.summary);
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
  const s = { reportDir: values['report-dir'] ?? 'AnchoreReport', outputs: outputSettings(values) };
  const dir = await ReportDir.open(s.reportDir);
  let outcome;
  try {
    outcome = await dir.write((sink) => evaluate(inputs, options, Date.now(), outputOptions(s), sink), err);
  } catch (error) {
    throw new UsageError(`evaluate: ${error.message}`);
  }
  if (outcome.no_policy && !options.fail_on_severity) {
    err('warning: a scanner report (grype) has no policy verdict; without --fail-on-severity nothing in it can fail the gate');
  }
  for (const e of outcome.expired) {
    err(`warning: allowlist entry ${e.entry} (${e.matches}) expired on ${e.expires} and no longer applies: ${e.reason}`);
  }
  await writeOutputs(s, dir, outcome);
  out(`anchore-gate ${version}: evaluated ${inputs.length} file(s) with no engine`);
  for (const image of outcome.images) {
    if (image.status === 'fail') out(`  ${image.image}: FAIL: ${image.gate_failures.join('; ')}`);
  }
  printOutcome(outcome, dir, out);
  return outcome.exit_code;
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
    const { exit_code: code } = await scan(s, { out, quiet: values.quiet, debug: values.debug });
    out('');
    out(`DEMO done: against a real engine this run would exit ${code}. Open the report directory, or run`);
    out(`  npx --yes anchore-gate@${version} --engine-url https://your-engine/v1 --user U --password-file F your_images_file`);
    return 0;
  } finally {
    await engine.close();
  }
}

export async function main(argv = process.argv.slice(2), env = process.env, out = console.log, err = console.error) {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    err(`anchore-gate: ${error.message}\nRun anchore-gate --help for the options.`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    out(HELP);
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
    // Only the command line is visible to other users; the action passes its inputs in memory.
    s.secretsInArgv = [
      ...(values.password !== undefined ? ['--password'] : []),
      ...(values['engine-url'] !== undefined && credentialsFromUrl(values['engine-url']).password ? ['a password in --engine-url'] : []),
    ];
    return (await scan(s, { out, err, quiet: values.quiet, debug: values.debug })).exit_code;
  } catch (error) {
    if (error instanceof UsageError) {
      err(`anchore-gate: ${error.message}`);
      return 2;
    }
    err(`anchore-gate: ${error.kind ? `${error.kind}: ` : ''}${error.message}`);
    if (values.debug && error.stack) err(error.stack);
    return 2;
  }
}

// Run when executed (also through npm's bin symlink), not when imported by tests or bundled
// into the action (dist/action.js, where import.meta.url is the bundle's).
const self = fileURLToPath(import.meta.url);
if (process.argv[1] && path.basename(self) === 'cli.js' && realpathSync(process.argv[1]) === self) {
  const code = await main();
  // The run is decided: end now. A connection attempt into a network that drops packets lives
  // on inside the HTTP client until its connect timeout, and must not hold the verdict back.
  await Promise.all([process.stdout, process.stderr].map((stream) => new Promise((resolve) => stream.write('', resolve))));
  process.exit(code);
}
