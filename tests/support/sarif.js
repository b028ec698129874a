// The SARIF checks the real consumers make, for the tests: the final OASIS SARIF 2.1.0 schema
// (tests/fixtures/sarif/, see its SOURCE.md) with the validator github/codeql-action's
// upload-sarif uses before it uploads (the `jsonschema` package, at the version codeql-action
// pins) and with ajv (draft-04, the schema's dialect); and the SARIF Multitool's `validate`
// with the SARIF, GitHub and GitHub Advanced Security rules.
import { execFile } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';

import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import jsonschema from 'jsonschema';

const require = createRequire(import.meta.url);
export const SCHEMA = JSON.parse(readFileSync(new URL('../fixtures/sarif/sarif-schema-2.1.0.json', import.meta.url), 'utf8'));

const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
const ajvValidate = ajv.compile(SCHEMA);

/** What each validator finds wrong with `log` (empty lists when it is valid). */
export function schemaErrors(log) {
  // As codeql-action's upload-lib validateSarifFileSchema: new Validator().validate(sarif, schema).
  const codeql = new jsonschema.Validator().validate(log, SCHEMA).errors.map((e) => `${e.property}: ${e.message}`);
  const valid = ajvValidate(log);
  const ajvErrors = valid ? [] : ajvValidate.errors.map((e) => `${e.instancePath}: ${e.message}`);
  return { codeql, ajv: ajvErrors };
}

// Every rule on except SARIF2006 (UrisShouldBeReachable, a warning): it sends an HTTP GET to
// every helpUri, which a test must not do (minutes on this machine, and no network in CI).
const CONFIG = new URL('../fixtures/sarif/multitool-config.xml', import.meta.url).pathname;

/** The self-contained Multitool binary of @microsoft/sarif-multitool's Linux package. */
function multitoolBinary() {
  const dir = path.dirname(require.resolve('@microsoft/sarif-multitool-linux/package.json'));
  const bin = path.join(dir, 'Sarif.Multitool');
  accessSync(bin, constants.X_OK);
  return bin;
}

/**
 * `Sarif.Multitool validate --rule-kind "Sarif;Gh;Ghas"` on a SARIF file: the results it
 * reports, as `{level, ruleId, text}` (read from its own SARIF output).
 */
export async function multitool(file) {
  const out = path.join(await mkdtemp(path.join(tmpdir(), 'anchore-gate-multitool-')), 'validation.sarif');
  const bin = multitoolBinary();
  await new Promise((resolve, reject) => {
    // No shell: the rule kinds hold semicolons. Exit 1 means errors were found; they are read below.
    execFile(bin, ['validate', '--rule-kind', 'Sarif;Gh;Ghas', '--config', CONFIG, '--output', out, file], { env: { ...process.env, DOTNET_CLI_TELEMETRY_OPTOUT: '1' }, maxBuffer: 64 << 20 },
      (error, stdout, stderr) => (error && error.code !== 1 ? reject(new Error(`${error.message}\n${stdout}\n${stderr}`)) : resolve()));
  });
  const log = JSON.parse(await readFile(out, 'utf8'));
  return log.runs.flatMap((run) => (run.results ?? []).map((r) => ({ level: r.level ?? 'warning', ruleId: r.ruleId, text: r.message?.text ?? r.message?.id ?? '' })));
}
