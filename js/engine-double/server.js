// Test double of the Anchore Engine external API (v1) and the Anchore
// Enterprise API (v2), served on loopback with Node built-ins only.
//
// Every behaviour below is taken from the real servers; the sources are
// cited inline:
//   engine-api.md  = shared/docs/engine-api.md (research notes; §5 is the checklist)
//   [E] file       = anchore/anchore-engine source (archived engine, v1 API)
//   v2 spec        = shared/fixtures/engine/v2-openapi.yaml (Enterprise 2.13.0)
//   fixture X      = shared/fixtures/engine/X (recorded responses)
// Where neither the engine source nor a recording settles a v2 detail, the
// choice is marked "(inferred)".
//
//   const d = await startEngineDouble({ api: 'v1', scenario });
//   d.url  -> 'http://127.0.0.1:PORT/v1'   (what a client is configured with)
//   d.log  -> [{ t, method, path, query, status, user, account, body }, ...]
//   await d.close();

import http from 'node:http';
import https from 'node:https';
import { URL } from 'node:url';
import {
  DEFAULT_BUNDLE, DEFAULT_INNER_POLICY_ID, DEFAULT_POLICY_ID, DEFAULT_POLICY_NAME,
  DEFAULT_WHITELIST_ID, DEFAULT_WHITELIST_NAME,
  demoScenario, derivedUuid, isNonOsPackageType, makeScenario, md5Hex,
  parseDockerImageString, sha256Hex,
} from './scenarios.js';

export { demoScenario, parseDockerImageString } from './scenarios.js';

// Versions reported by /version and /status. Values copied from the fixtures:
// v1-version-literal.json (a v1-API server: service 4.2.0, schema 20) and
// v2-version-literal.json (Enterprise 5.0.0, schema 500).
const VERSIONS = {
  v1: { service: '4.2.0', db: '20', api: {} },
  v2: { service: '5.0.0', db: '500', api: { version: '2' } },
};

// The v1 table header, exactly as in v1-check-fail-detail.json.
export const V1_CHECK_HEADER = Object.freeze([
  'Image_Id', 'Repo_Tag', 'Trigger_Id', 'Gate', 'Trigger', 'Check_Output', 'Gate_Action', 'Whitelisted', 'Policy_Id',
]);

const DIGEST_RE = /^sha256:[a-fA-F0-9]{64}$/;
const ACTION_RANK = { stop: 0, warn: 1, go: 2 }; // engine orders STOP < WARN < GO [E bundles.py]

// ---------------------------------------------------------------------------
// small helpers
// ---------------------------------------------------------------------------

/** RFC 3339 as the engine prints it: utcfromtimestamp(int).isoformat() + 'Z' (no fraction). */
function iso(ms) {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

const clone = (v) => structuredClone(v);

/** Error body built by make_response_error [E common/helpers.py]: detail.error_codes always present. */
function errorBody(httpcode, message, detail = {}) {
  return { message, httpcode, detail: { ...detail, error_codes: detail.error_codes ?? [] } };
}

function jsonError(status, message, detail) {
  return { status, body: errorBody(status, message, detail) };
}

/**
 * connexion (RFC 7807) errors: schema validation, unknown routes, bad methods.
 * They never reach the engine's handlers (engine-api.md §1.3).
 */
function problem(status, title, detail) {
  return { status, type: 'application/problem+json', body: { detail, status, title, type: 'about:blank' } };
}

const notFoundRoute = () => problem(404, 'Not Found',
  'The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.');

/** Python's repr of a short list of strings, used in connexion messages. */
const pyList = (xs) => `[${xs.map((x) => `'${x}'`).join(', ')}]`;

// ---------------------------------------------------------------------------
// scenario resolution
// ---------------------------------------------------------------------------

function canonicalVuln(v, meta) {
  const type = String(v.package_type ?? 'None');
  const nonOs = isNonOsPackageType(type);
  const feedGroup = v.feed_group ?? (nonOs ? 'nvdv2:cves' : `${meta.distro}:${String(meta.distro_version).split('.')[0]}`);
  const prefix = feedGroup.split(':')[0];
  const feed = v.feed ?? (['nvdv2', 'github', 'vulndb'].includes(prefix) ? prefix : 'vulnerabilities');
  const id = String(v.vuln);
  const unknownScores = { base_score: -1.0, exploitability_score: -1.0, impact_score: -1.0 };
  return {
    vuln: id,
    severity: v.severity ?? 'Unknown',
    package_name: v.package_name ?? 'None',
    package_version: v.package_version ?? 'None',
    package_type: type,
    // absent values are the STRING "None", never null (engine-api.md §2.5,
    // eltemplate in [E apiext/api/controllers/images.py make_response_vulnerability])
    fix: v.fix ?? 'None',
    url: v.url ?? 'None',
    package_path: v.package_path ?? 'None',
    package_cpe: v.package_cpe ?? 'None',
    package_cpe23: v.package_cpe23 ?? 'None',
    feed,
    feed_group: feedGroup,
    // -1.0 is the engine's value for an unknown score [E make_cvss_scores]
    nvd_data: v.nvd_data ?? (id.startsWith('CVE-') ? [{ cvss_v2: { ...unknownScores }, cvss_v3: { ...unknownScores }, id }] : []),
    vendor_data: v.vendor_data ?? [],
    will_not_fix: Boolean(v.will_not_fix),
    inherited_from_base: Boolean(v.inherited_from_base),
  };
}

function canonicalFinding(f) {
  const gate = String(f.gate ?? 'vulnerabilities');
  const trigger = String(f.trigger ?? 'package');
  const message = String(f.message ?? '');
  const triggerId = f.trigger_id ?? md5Hex(`${gate}+${trigger}+${message}`);
  const allowlisted = Boolean(f.allowlisted);
  return {
    trigger_id: triggerId,
    gate,
    trigger,
    message,
    action: String(f.action ?? 'warn').toLowerCase(),
    policy_id: f.policy_id ?? DEFAULT_INNER_POLICY_ID,
    recommendation: f.recommendation ?? '',
    rule_id: f.rule_id ?? derivedUuid(`${gate}/${trigger}`),
    allowlisted,
    allowlist_match: allowlisted
      ? { id: DEFAULT_WHITELIST_ID, name: DEFAULT_WHITELIST_NAME, matched_rule_id: derivedUuid(`allow/${triggerId}`), ...(f.allowlist_match ?? {}) }
      : null,
    inherited_from_base: f.inherited_from_base ?? false,
  };
}

function resolveImage(key, raw = {}) {
  const ref = parseDockerImageString(key);
  if (!ref.fulltag) throw new Error(`scenario image key must be a tag reference, got ${key}`);
  const digest = raw.digest ?? `sha256:${sha256Hex(ref.fulltag)}`;
  if (!DIGEST_RE.test(digest)) throw new Error(`scenario image ${key}: digest must be sha256:<64 hex>, got ${digest}`);
  const outcome = raw.outcome ?? 'analyzed';
  if (!['analyzed', 'analysis_failed'].includes(outcome)) throw new Error(`scenario image ${key}: outcome must be analyzed or analysis_failed`);

  const rawVulns = raw.vulnerabilities ?? [];
  const firstOs = rawVulns.find((v) => !isNonOsPackageType(v.package_type) && v.feed_group);
  const [guessDistro, guessVersion] = firstOs ? firstOs.feed_group.split(':') : ['debian', '10'];
  const n = parseInt(digest.slice(7, 15), 16);
  const metadata = {
    arch: 'amd64',
    distro: guessDistro,
    distro_version: guessVersion,
    image_size: 20_000_000 + (n % 400_000_000),
    layer_count: 1 + (n % 9),
    ...(raw.metadata ?? {}),
  };
  const findings = (raw.findings ?? []).map(canonicalFinding);
  // Policy decision: the most severe action among non-allowlisted matches, GO
  // when nothing fires [E services/policy_engine/engine/policy/bundles.py].
  const policyAction = findings.filter((f) => !f.allowlisted)
    .reduce((acc, f) => ((ACTION_RANK[f.action] ?? 2) < ACTION_RANK[acc] ? f.action : acc), 'go');
  const finalAction = raw.finalAction ? String(raw.finalAction).toLowerCase() : policyAction;
  return {
    key,
    ref,
    digest,
    parentDigest: raw.parentDigest ?? digest,
    imageId: raw.imageId ?? sha256Hex(`image-config:${digest}`),
    analysisMs: Math.max(0, Number(raw.analysisMs ?? 2000)),
    outcome,
    metadata,
    vulnerabilities: rawVulns.map((v) => canonicalVuln(v, metadata)),
    findings,
    policyAction,
    finalAction,
    baseDigest: raw.baseDigest ?? null,
  };
}

function v1BundleFor(policy) {
  if (policy.bundle) return clone(policy.bundle);
  const b = clone(DEFAULT_BUNDLE);
  if (policy.id !== DEFAULT_POLICY_ID) {
    b.id = policy.id;
    b.name = policy.name;
    b.comment = policy.description ?? policy.name;
  }
  return b;
}

/**
 * v2 policy document (schema Policy, additionalProperties false): rule_sets,
 * allowlists, mappings with rule_set_ids/allowlist_ids (engine-api.md §4.2).
 * Built from the v1 bundle with the same rules.
 */
function v2PolicyFor(policy) {
  const b = v1BundleFor(policy);
  return {
    id: b.id,
    name: b.name,
    description: b.comment ?? '',
    version: '2',
    rule_sets: b.policies.map((p) => ({
      id: p.id, name: p.name, description: p.comment ?? '', version: '2', artifact_type: 'image',
      rules: p.rules.map((r) => ({ id: r.id, gate: r.gate, trigger: r.trigger, action: r.action, params: r.params })),
    })),
    allowlists: b.whitelists.map((w) => ({ id: w.id, name: w.name, description: w.comment ?? '', version: '2', items: w.items })),
    mappings: b.mappings.map(v2Mapping),
    allowlisted_images: [],
    denylisted_images: [],
  };
}

function v2Mapping(m) {
  return {
    id: m.id, name: m.name, registry: m.registry, repository: m.repository, image: m.image,
    rule_set_ids: [m.policy_id], allowlist_ids: m.whitelist_ids,
  };
}

/** Fill defaults and index the registry. Keeps the caller's `faults` array (a live hook). */
export function resolveScenario(input) {
  const scenario = makeScenario(input ?? demoScenario());
  const registry = new Map(); // fulltag -> image spec
  const byDigest = new Map(); // digest -> image spec
  for (const [key, raw] of Object.entries(scenario.images)) {
    const spec = resolveImage(key, raw);
    if (registry.has(spec.ref.fulltag)) throw new Error(`scenario images ${key} and ${registry.get(spec.ref.fulltag).key} normalise to the same tag`);
    registry.set(spec.ref.fulltag, spec);
    if (!byDigest.has(spec.digest)) byDigest.set(spec.digest, spec);
  }
  const policies = scenario.policies.map((p) => ({ ...p, id: String(p.id), name: p.name ?? String(p.id), active: Boolean(p.active) }));
  return { scenario, registry, byDigest, policies };
}

// ---------------------------------------------------------------------------
// the engine state
// ---------------------------------------------------------------------------

class Engine {
  constructor(api, resolved, now) {
    this.api = api;
    this.scenario = resolved.scenario;
    this.registry = resolved.registry;
    this.byDigest = resolved.byDigest;
    this.policies = resolved.policies;
    this.now = now;
    this.startedAt = now();
    this.records = new Map(); // account -> Map(digest -> record)
    this.evalTimes = new Map();
  }

  accountOf(user) {
    const map = this.scenario.userAccounts ?? {};
    if (map[user]) return map[user];
    return this.scenario.accounts.includes(user) ? user : this.scenario.accounts[0];
  }

  recordsOf(account) {
    if (!this.records.has(account)) this.records.set(account, new Map());
    return this.records.get(account);
  }

  /**
   * Registry lookup of a normalised tag. The engine itself does not add
   * `library/` (engine-api.md §2.4), but Docker Hub resolves `docker.io/x` and
   * `docker.io/library/x` to the same repository, so either finds the image;
   * the record keeps the reference the client sent.
   */
  lookupTag(ref) {
    const exact = this.registry.get(ref.fulltag);
    if (exact) return exact;
    if (ref.registry === 'docker.io') {
      const alt = ref.repo.startsWith('library/') ? ref.repo.slice(8) : ref.repo.includes('/') ? null : `library/${ref.repo}`;
      if (alt) return this.registry.get(`docker.io/${alt}:${ref.tag}`) ?? null;
    }
    return null;
  }

  /** State machine over time: not_analyzed (first 25%) -> analyzing -> outcome. */
  phase(rec, at = this.now()) {
    const ms = rec.spec.analysisMs;
    const elapsed = at - rec.analysisStart;
    // a record is not_analyzed at the instant it is (re)created, whatever analysisMs is
    if (elapsed <= 0 || elapsed < ms * 0.25) return 'not_analyzed';
    if (elapsed < ms) return 'analyzing';
    return rec.spec.outcome;
  }

  transitions(rec, at = this.now()) {
    const ms = rec.spec.analysisMs;
    const out = [];
    if (at - rec.analysisStart >= ms * 0.25 && ms > 0) out.push({ from: 'not_analyzed', to: 'analyzing', at: rec.analysisStart + ms * 0.25 });
    if (at - rec.analysisStart >= ms) out.push({ from: ms > 0 ? 'analyzing' : 'not_analyzed', to: rec.spec.outcome, at: rec.analysisStart + ms });
    return out;
  }

  lastUpdated(rec, at = this.now()) {
    const t = this.transitions(rec, at);
    return Math.max(rec.touchedAt, ...t.map((x) => x.at));
  }

  /**
   * POST /images semantics [E images.py analyze_image / next_analysis_state]:
   * a new record starts not_analyzed; an existing one is returned unchanged
   * unless force=true or its analysis failed, which reset it to not_analyzed
   * (engine-api.md §2.1).
   */
  addImage(account, spec, ref, { force, dockerfile, annotations }) {
    const at = this.now();
    const recs = this.recordsOf(account);
    let rec = recs.get(spec.digest);
    if (!rec) {
      rec = {
        account, spec, digest: spec.digest, createdAt: at, analysisStart: at, touchedAt: at, epoch: 1,
        annotations: {}, dockerfile: null, details: new Map(),
      };
      recs.set(spec.digest, rec);
    } else if (force || this.phase(rec, at) === 'analysis_failed') {
      rec.analysisStart = at;
      rec.touchedAt = at;
      rec.epoch += 1;
    }
    if (dockerfile && (!rec.dockerfile || force)) rec.dockerfile = dockerfile;
    if (annotations && typeof annotations === 'object') Object.assign(rec.annotations, annotations);
    if (!rec.details.has(ref.fulltag)) {
      rec.details.set(ref.fulltag, { registry: ref.registry, repo: ref.repo, tag: ref.tag, createdAt: at, detectedAt: at });
      rec.touchedAt = at;
    }
    return rec;
  }

  policyById(id) {
    return this.policies.find((p) => p.id === id) ?? null;
  }

  activePolicy() {
    return this.policies.find((p) => p.active) ?? null;
  }

  /**
   * Evaluations are stored per (image, tag, policy) and only recreated when
   * needed, so `last_evaluation` stays the time of the first evaluation after
   * analysis; `interactive=true` evaluates without storing (engine-api.md §2.4).
   */
  evaluationTime(rec, tag, policyId, interactive) {
    const at = this.now();
    if (interactive) return at;
    const key = `${rec.account}|${rec.digest}|${rec.epoch}|${tag}|${policyId}`;
    if (!this.evalTimes.has(key)) this.evalTimes.set(key, at);
    return this.evalTimes.get(key);
  }

  decision(spec) {
    const finalAction = spec.finalAction;
    let reason = 'policy_evaluation';
    if (finalAction !== spec.policyAction) {
      // an override models the bundle-level image lists: STOP = blacklisted, GO = whitelisted
      if (finalAction === 'stop') reason = this.api === 'v2' ? 'denylisted' : 'blacklisted';
      else if (finalAction === 'go') reason = this.api === 'v2' ? 'allowlisted' : 'whitelisted';
    }
    // status pass iff GO/WARN [E images.py make_response_policyeval]
    return { finalAction, reason, status: finalAction === 'stop' ? 'fail' : 'pass' };
  }
}

// ---------------------------------------------------------------------------
// response bodies: v1
// ---------------------------------------------------------------------------

/** v1 image record (make_response_image [E images.py]; fixtures v1-image-*.json). */
function v1Record(engine, rec, { detail = true } = {}) {
  const at = engine.now();
  const status = engine.phase(rec, at);
  const analyzed = status === 'analyzed';
  const spec = rec.spec;
  const lastUpdated = iso(engine.lastUpdated(rec, at));
  const meta = spec.metadata;
  const details = [...rec.details.values()].map((d) => ({
    created_at: iso(d.createdAt),
    digest: rec.digest,
    // null until analysis; afterwards the analyzer stores the (possibly empty) Dockerfile
    // (v1-image-analyzing.json: null, v1-image-add-analyzed.json: "")
    dockerfile: rec.dockerfile ?? (analyzed ? '' : null),
    fulldigest: `${d.registry}/${d.repo}@${rec.digest}`,
    fulltag: `${d.registry}/${d.repo}:${d.tag}`,
    imageDigest: rec.digest,
    imageId: spec.imageId,
    last_updated: lastUpdated,
    registry: d.registry,
    repo: d.repo,
    tag: d.tag,
    tag_detected_at: iso(d.detectedAt),
    userId: rec.account,
  }));
  return {
    analysis_status: status,
    analyzed_at: analyzed ? iso(rec.analysisStart + spec.analysisMs) : null,
    annotations: clone(rec.annotations),
    created_at: iso(rec.createdAt),
    imageDigest: rec.digest,
    image_content: {
      metadata: analyzed
        ? {
          arch: meta.arch, distro: meta.distro, distro_version: meta.distro_version,
          dockerfile_mode: rec.dockerfile ? 'Actual' : 'Guessed',
          image_size: meta.image_size, layer_count: meta.layer_count,
        }
        : { arch: null, distro: null, distro_version: null, dockerfile_mode: null, image_size: null, layer_count: null },
    },
    // `detail=false` (undeclared but honoured) empties image_detail
    // (v1-image-get-detail-false-analyzed.json)
    image_detail: detail ? details : [],
    image_status: 'active',
    image_type: 'docker',
    last_updated: lastUpdated,
    parentDigest: spec.parentDigest,
    userId: rec.account,
  };
}

function v1Row(spec, tag, f) {
  return [
    spec.imageId,
    tag,
    f.trigger_id,
    f.gate,
    f.trigger,
    f.message,
    // a whitelisted match reports Gate_Action go and the whitelist it matched
    // (engine-api.md §2.4 row columns, [E bundles.py _row_json])
    f.allowlisted ? 'go' : f.action,
    f.allowlisted ? { whitelist_name: f.allowlist_match.name, whitelist_id: f.allowlist_match.id, matched_rule_id: f.allowlist_match.matched_rule_id } : false,
    f.policy_id,
  ];
}

/** The policy engine's evaluation object stored by the catalog (detail.result). */
function v1EvalResult(engine, rec, tag, policy, evalMs) {
  const spec = rec.spec;
  const bundle = v1BundleFor(policy);
  const { finalAction, reason, status } = engine.decision(spec);
  const rows = spec.findings.map((f) => v1Row(spec, tag, f));
  const epoch = Math.floor(evalMs / 1000);
  return {
    bundle,
    created_at: epoch,
    evaluation_problems: [],
    final_action: finalAction,
    final_action_reason: reason,
    image_digest: rec.digest,
    image_id: spec.imageId,
    last_modified: epoch,
    matched_blacklisted_images_rule: false,
    matched_mapping_rule: clone(bundle.mappings[0]),
    matched_whitelisted_images_rule: false,
    result: {
      [spec.imageId]: {
        // the table's final_action is the policy decision BEFORE the
        // whitelisted/blacklisted image override (engine-api.md §2.4)
        result: { final_action: spec.policyAction, header: [...V1_CHECK_HEADER], row_count: rows.length, rows },
      },
      policy_data: [],
      policy_name: '',
      whitelist_data: [],
      whitelist_names: [],
    },
    status,
    tag,
    user_id: rec.account,
  };
}

function v1Vuln(v) {
  // key set of the newest recorded body (v1-vuln-all-nvd-java.json)
  return {
    feed: v.feed, feed_group: v.feed_group, fix: v.fix, nvd_data: clone(v.nvd_data),
    package: `${v.package_name}-${v.package_version}`, package_cpe: v.package_cpe, package_cpe23: v.package_cpe23,
    package_name: v.package_name, package_path: v.package_path, package_type: v.package_type,
    package_version: v.package_version, severity: v.severity, url: v.url, vendor_data: clone(v.vendor_data), vuln: v.vuln,
  };
}

/** os = every package type not in the non-os list (engine-api.md §2.5). */
function filterVulns(spec, vtype, vendorOnly) {
  return spec.vulnerabilities.filter((v) => {
    if (vendorOnly && v.will_not_fix) return false;
    if (vtype === 'os') return !isNonOsPackageType(v.package_type);
    if (vtype === 'non-os') return isNonOsPackageType(v.package_type);
    return true;
  }).sort((a, b) => isNonOsPackageType(a.package_type) - isNonOsPackageType(b.package_type)); // os first, like "all"
}

function v1PolicyRecord(engine, policy, detail, account) {
  const created = iso(engine.startedAt);
  return {
    active: policy.active,
    created_at: created,
    last_updated: created,
    name: policy.name,
    policyId: policy.id,
    policy_source: 'local',
    policybundle: detail ? v1BundleFor(policy) : {},
    policybundlemeta: {},
    userId: account,
    ...(policy.description ? { description: policy.description } : {}),
  };
}

// ---------------------------------------------------------------------------
// response bodies: v2
// ---------------------------------------------------------------------------

/** v2 AnchoreImage: snake_case, a single object (engine-api.md §4.3). */
function v2Record(engine, rec) {
  const v1 = v1Record(engine, rec);
  const at = engine.now();
  const transitions = engine.transitions(rec, at);
  return {
    image_digest: v1.imageDigest,
    parent_digest: v1.parentDigest,
    account_name: rec.account,
    analysis_status: v1.analysis_status,
    analysis_status_detail: transitions.map((t) => ({
      from_status: t.from, to_status: t.to, timestamp: iso(t.at),
      source: { host_id: 'anchore-double', service_name: t.to === 'analyzing' ? 'analyzer' : 'catalog' },
    })),
    image_status: 'active',
    created_at: v1.created_at,
    last_updated: v1.last_updated,
    // not in the v2 schema, but sent by real servers per the admission
    // controller's mock [K]; clients ignore unknown keys (inferred)
    analyzed_at: v1.analyzed_at,
    annotations: v1.annotations,
    image_content: {
      metadata: { ...v1.image_content.metadata, extended_support: v1.analysis_status === 'analyzed' ? false : null },
    },
    image_detail: v1.image_detail.map((d) => ({
      created_at: d.created_at, last_updated: d.last_updated, full_tag: d.fulltag, full_digest: d.fulldigest,
      account_name: rec.account, image_id: d.imageId, registry: d.registry, repo: d.repo, dockerfile: d.dockerfile,
      image_digest: d.imageDigest, tag: d.tag, tag_detected_at: d.tag_detected_at,
    })),
  };
}

function v2Finding(f, withBase) {
  return {
    trigger_id: f.trigger_id,
    gate: f.gate,
    trigger: f.trigger,
    message: f.message,
    action: f.action,
    policy_id: f.policy_id,
    recommendation: f.recommendation,
    rule_id: f.rule_id,
    allowlisted: f.allowlisted,
    allowlist_match: f.allowlist_match ? { ...f.allowlist_match } : null,
    // Only meaningful against a base image; false (not null) otherwise so that
    // clients comparing it to "true" (the Jenkins plugin) never see a null.
    inherited_from_base: withBase ? Boolean(f.inherited_from_base) : false,
  };
}

function v2Vuln(v, withBase, evalMs) {
  return {
    vuln: v.vuln, severity: v.severity, url: v.url, fix: v.fix,
    package: `${v.package_name}-${v.package_version}`, package_name: v.package_name,
    package_version: v.package_version, package_type: v.package_type, package_cpe: v.package_cpe,
    // no package_cpe23 in v2: PackageVulnerability (v2 spec) does not declare it
    package_path: v.package_path, feed: v.feed, feed_group: v.feed_group,
    will_not_fix: v.will_not_fix, nvd_data: clone(v.nvd_data), vendor_data: clone(v.vendor_data),
    detected_at: iso(evalMs), is_kev: false, epss: [],
    inherited_from_base: withBase ? v.inherited_from_base : false,
  };
}

function v2PolicyRecord(engine, policy, detail, account) {
  const created = iso(engine.startedAt);
  return {
    policy_id: policy.id,
    name: policy.name,
    description: policy.description ?? policy.name,
    active: policy.active,
    account_name: account,
    policy_source: 'local',
    created_at: created,
    last_updated: created,
    policy: detail ? v2PolicyFor(policy) : null,
  };
}

// ---------------------------------------------------------------------------
// requests
// ---------------------------------------------------------------------------

function parseBasicAuth(header) {
  const m = /^Basic\s+(\S+)\s*$/i.exec(header ?? '');
  if (!m) return null;
  const text = Buffer.from(m[1], 'base64').toString('utf8');
  const i = text.indexOf(':');
  return i < 0 ? { user: text, pass: '' } : { user: text.slice(0, i), pass: text.slice(i + 1) };
}

/** connexion's boolean coercion: 'true'/'false', any case; anything else is a 400. */
function boolParam(query, name, dflt) {
  const v = query[name];
  if (v === undefined) return { value: dflt };
  if (String(v).toLowerCase() === 'true') return { value: true };
  if (String(v).toLowerCase() === 'false') return { value: false };
  return { error: problem(400, 'Bad Request', `Wrong type, expected 'boolean' for query parameter '${name}'`) };
}

function checkBools(query, names) {
  const values = {};
  for (const [name, dflt] of Object.entries(names)) {
    const r = boolParam(query, name, dflt);
    if (r.error) return { error: r.error };
    values[name] = r.value;
  }
  return { values };
}

function enumParam(query, name, allowed) {
  const v = query[name];
  if (v === undefined || allowed.includes(v)) return null;
  return problem(400, 'Bad Request', `'${v}' is not one of ${pyList(allowed)}`);
}

/**
 * Route table. Each route: method, pattern segments (':x' captures), auth
 * (false = public), action (authz action for the 403 message), validate
 * (connexion-level checks that run BEFORE authentication, as connexion
 * validates parameters before the handler's auth decorator runs), handler.
 */
function buildRoutes(api) {
  const v2 = api === 'v2';
  const digestParam = v2 ? 'image_digest' : 'imageDigest';
  // v2 path parameters carry a pattern (v2 spec); v1 declares none
  const checkDigest = (p) => (v2 && !DIGEST_RE.test(p.digest)
    ? problem(400, 'Bad Request', `'${p.digest}' does not match '^sha256:[a-fA-F0-9]{64}$'`) : null);
  const R = (method, pattern, opts) => ({ method, segs: pattern ? pattern.split('/') : [], ...opts });
  return [
    R('GET', '', { auth: false, handler: rootPing }),
    R('GET', 'health', { auth: false, handler: health }),
    R('GET', 'version', { auth: false, handler: version }),
    R('GET', 'swagger.json', { auth: false, handler: swagger }),
    R('GET', 'status', { handler: status }),
    R('GET', 'system', { handler: system }),
    R('GET', 'system/feeds', { handler: feeds }),
    R('GET', 'policies', { action: 'listPolicies', validate: (p, q) => checkBools(q, { detail: false }).error, handler: listPolicies }),
    R('GET', 'policies/:policyId', { action: 'getPolicy', handler: getPolicy }),
    R('GET', 'images', {
      action: 'listImages',
      validate: (p, q) => checkBools(q, { history: false }).error
        ?? enumParam(q, 'image_status', ['all', 'active', 'deleting'])
        ?? enumParam(q, 'analysis_status', ['not_analyzed', 'analyzed', 'analyzing', 'analysis_failed']),
      handler: listImages,
    }),
    R('POST', 'images', {
      action: 'createImage',
      validate: (p, q, ctx) => checkBools(q, { force: false, [v2 ? 'auto_subscribe' : 'autosubscribe']: false }).error ?? validateAddBody(ctx),
      handler: addImage,
    }),
    R('GET', 'images/by_id/:imageId', { v1only: true, action: 'getImage', handler: getImageById }),
    R('GET', 'images/:digest', { action: 'getImage', validate: checkDigest, handler: getImage }),
    R('GET', 'images/:digest/check', {
      action: 'getImageEvaluation',
      validate: (p, q) => checkDigest(p)
        ?? (q.tag === undefined ? problem(400, 'Bad Request', "Missing query parameter 'tag'") : null)
        ?? checkBools(q, { detail: true, history: false, interactive: false }).error,
      handler: checkImage,
    }),
    R('GET', 'images/:digest/vuln', { action: 'getImage', validate: checkDigest, handler: vulnTypes }),
    R('GET', 'images/:digest/vuln/:vtype', {
      action: 'getImage',
      validate: (p, q) => checkDigest(p)
        ?? (v2 && !['os', 'non-os', 'all'].includes(p.vtype) ? problem(400, 'Bad Request', `'${p.vtype}' is not one of ['os', 'non-os', 'all']`) : null)
        ?? checkBools(q, { vendor_only: true, force_refresh: false, ...(v2 ? { include_vuln_description: false } : {}) }).error,
      handler: vulnList,
    }),
    R('GET', 'images/:digest/ancestors', { v2only: true, action: 'getImage', validate: checkDigest, handler: ancestors }),
  ].filter((r) => !(v2 && r.v1only) && !(!v2 && r.v2only)).map((r) => ({ ...r, digestParam }));
}

function matchRoute(routes, method, segs) {
  let pathMatched = false;
  for (const r of routes) {
    if (r.segs.length !== segs.length) continue;
    const params = {};
    let ok = true;
    for (let i = 0; i < segs.length; i += 1) {
      if (r.segs[i].startsWith(':')) params[r.segs[i].slice(1)] = segs[i];
      else if (r.segs[i] !== segs[i]) { ok = false; break; }
    }
    if (!ok) continue;
    pathMatched = true;
    if (r.method === method || (method === 'HEAD' && r.method === 'GET')) return { route: r, params };
  }
  return { pathMatched };
}

// ---------------------------------------------------------------------------
// handlers: (ctx, params, query) -> { status, body, type?, raw?, headers? }
// ---------------------------------------------------------------------------

function rootPing(ctx) {
  // GET /v1 answers the JSON string "v1" without auth (engine-api.md §1.1);
  // the v2 ping is assumed to mirror it (inferred)
  return { status: 200, body: ctx.api };
}

function health(ctx) {
  // [E apis/common.py] health_check returns "ok" (JSON-encoded by connexion);
  // the v2 spec says "200 and no body"
  return ctx.api === 'v2' ? { status: 200, raw: '', type: 'text/plain; charset=utf-8' } : { status: 200, body: 'ok' };
}

function version(ctx) {
  // copy of the fixture shapes: v1 `api: {}`, v2 `api.version: "2"` [E apis/common.py version_response]
  const v = VERSIONS[ctx.api];
  return { status: 200, body: { api: clone(v.api), db: { schema_version: v.db }, service: { version: v.service } } };
}

function swagger(ctx) {
  if (ctx.api === 'v2') {
    return { status: 200, body: { openapi: '3.0.1', info: { title: 'Anchore API', version: '2.13.0' }, servers: [{ url: '/v2' }], paths: {} } };
  }
  // anchore-cli reads info.version to decide between ?fulltag= and a GET body
  // (engine-api.md §3.2); 0.1.20 is the last engine spec version
  return {
    status: 200,
    body: {
      swagger: '2.0',
      info: { description: 'This is the Anchore Engine API. Provides the primary external API for users of the service.', version: '0.1.20', title: 'Anchore Engine API Server' },
      basePath: '/',
      paths: {},
    },
  };
}

function statusBody(ctx) {
  const v = VERSIONS[ctx.api];
  // v1-status.json
  return { available: true, busy: false, db_version: v.db, detail: {}, message: 'all good', up: true, version: v.service };
}

function status(ctx) {
  return { status: 200, body: statusBody(ctx) };
}

function system(ctx) {
  const services = ['apiext', 'catalog', 'policy_engine', 'simplequeue', 'analyzer'];
  const v = VERSIONS[ctx.api];
  const states = services.map((name, i) => {
    const base = { base_url: `http://${name}:${8228 + i}`, status: true, status_message: 'available', version: v.service, service_detail: statusBody(ctx) };
    return ctx.api === 'v2'
      ? { host_id: `anchore-${name}`, service_name: name, ...base }
      : { hostid: `anchore-${name}`, servicename: name, ...base };
  });
  return { status: 200, body: { service_states: states } };
}

function feeds(ctx) {
  // v1 /system/feeds, enough for `anchore-cli system wait` (engine-api.md §3.7)
  const at = iso(ctx.engine.startedAt);
  const groups = { vulnerabilities: new Set(), nvdv2: new Set(['nvdv2:cves']) };
  for (const spec of ctx.engine.registry.values()) {
    for (const v of spec.vulnerabilities) (groups[v.feed] ??= new Set()).add(v.feed_group);
  }
  const body = Object.entries(groups).map(([name, set]) => ({
    name, enabled: true, created_at: at, updated_at: at, last_full_sync: at,
    groups: [...set].map((g) => ({ name: g, enabled: true, created_at: at, last_sync: at, record_count: 1000 })),
  }));
  return { status: 200, body };
}

function listPolicies(ctx, params, query) {
  const detail = checkBools(query, { detail: false }).values.detail;
  const body = ctx.engine.policies.map((p) => (ctx.api === 'v2'
    ? v2PolicyRecord(ctx.engine, p, detail, ctx.account)
    : v1PolicyRecord(ctx.engine, p, detail, ctx.account)));
  return { status: 200, body };
}

function policyNotFound(id) {
  // catalog GET /policies/{policyId} [E services/catalog/api/controllers/policies.py get_policy]
  return jsonError(404, `Policy bundle ${id} not found in DB`);
}

function getPolicy(ctx, params) {
  const p = ctx.engine.policyById(params.policyId);
  if (!p) return policyNotFound(params.policyId);
  // v1 returns a one-element list (engine-api.md §2.6); v2 a PolicyRecord
  return ctx.api === 'v2'
    ? { status: 200, body: v2PolicyRecord(ctx.engine, p, true, ctx.account) }
    : { status: 200, body: [v1PolicyRecord(ctx.engine, p, true, ctx.account)] };
}

function recordBody(ctx, rec, opts) {
  return ctx.api === 'v2' ? v2Record(ctx.engine, rec, opts) : v1Record(ctx.engine, rec, opts);
}

function listImages(ctx, params, query) {
  const engine = ctx.engine;
  const history = checkBools(query, { history: false }).values.history;
  const tagParam = ctx.api === 'v2' ? query.full_tag : query.fulltag;
  const imageStatus = query.image_status ?? 'active';
  let recs = [...engine.recordsOf(ctx.account).values()];
  if (query.analysis_status) recs = recs.filter((r) => engine.phase(r) === query.analysis_status);
  if (imageStatus === 'deleting') recs = [];
  if (ctx.api === 'v2' && query.image_id) recs = recs.filter((r) => r.spec.imageId === query.image_id);
  if (tagParam !== undefined) {
    // the catalog parses the tag the same way as everywhere else, so `alpine:3.9`
    // finds docker.io/alpine:3.9 ([E catalog_impl image GET, get_image_info]);
    // the catalog filters on whatever the parse yields, so an image id or a
    // digest given as `fulltag` finds the image too
    let parsed = null;
    try { parsed = parseDockerImageString(tagParam); } catch { parsed = null; }
    const fulltag = parsed?.fulltag;
    if (fulltag) {
      recs = recs.filter((r) => r.details.has(fulltag))
        .sort((a, b) => b.details.get(fulltag).detectedAt - a.details.get(fulltag).detectedAt);
    } else if (parsed?.imageId) {
      recs = recs.filter((r) => r.spec.imageId.toLowerCase() === parsed.imageId.toLowerCase());
    } else if (parsed?.digest) {
      recs = recs.filter((r) => r.digest === parsed.digest);
    } else {
      recs = [];
    }
    if (!history) recs = recs.slice(0, 1); // only the newest record for the tag
    if (recs.length === 0) {
      // v1: catalog 404 (engine-api.md §2.2); v2 assumed to share the catalog (inferred)
      return jsonError(404, 'image data not found in DB');
    }
  }
  const bodies = recs.map((r) => recordBody(ctx, r));
  return { status: 200, body: ctx.api === 'v2' ? { items: bodies } : bodies };
}

function validateAddBody(ctx) {
  if (ctx.bodyError) return problem(400, 'Bad Request', 'Request body is not valid JSON');
  const b = ctx.body;
  if (b === null || typeof b !== 'object' || Array.isArray(b)) {
    return problem(400, 'Bad Request', `${JSON.stringify(b ?? null)} is not of type 'object'`);
  }
  const strOrNull = ['tag', 'digest', 'dockerfile', 'created_at', 'image_type'];
  for (const k of strOrNull) {
    if (b[k] !== undefined && typeof b[k] !== 'string') return problem(400, 'Bad Request', `${JSON.stringify(b[k])} is not of type 'string'`);
  }
  if (b.annotations !== undefined && (typeof b.annotations !== 'object' || b.annotations === null || Array.isArray(b.annotations))) {
    return problem(400, 'Bad Request', `${JSON.stringify(b.annotations)} is not of type 'object'`);
  }
  const dockerfiles = [b.dockerfile, b.source?.tag?.dockerfile, b.source?.digest?.dockerfile].filter((d) => d !== undefined && d !== null);
  for (const d of dockerfiles) {
    if (typeof d !== 'string' || !/^[a-zA-Z0-9+/=]+$/.test(d)) return problem(400, 'Bad Request', `${JSON.stringify(d)} does not match '^[a-zA-Z0-9+/=]+$'`);
  }
  return null;
}

/** Reduce the request body to { kind: 'tag'|'digest', pull, tag, dockerfile } or an error (engine-api.md §2.1). */
function normalizeAddSource(ctx, b) {
  const v2 = ctx.api === 'v2';
  const pullKey = v2 ? 'pull_string' : 'pullstring';
  const hasLegacy = !v2 && (b.tag !== undefined || b.digest !== undefined || b.dockerfile !== undefined);
  if (b.source && hasLegacy) {
    // [E apiext/api/controllers/utils.py normalize_image_add_source]
    return { error: jsonError(400, 'Cannot use both source property and tag, digest, or dockerfile property at top level') };
  }
  if (b.source && typeof b.source === 'object') {
    const s = b.source;
    if (s.tag) {
      if (typeof s.tag[pullKey] !== 'string') return { error: problem(400, 'Bad Request', `'${pullKey}' is a required property`) };
      return { kind: 'tag', pull: s.tag[pullKey], dockerfile: s.tag.dockerfile ?? null };
    }
    if (s.digest) {
      if (typeof s.digest[pullKey] !== 'string') return { error: problem(400, 'Bad Request', `'${pullKey}' is a required property`) };
      if (typeof s.digest.tag !== 'string') return { error: problem(400, 'Bad Request', "'tag' is a required property") };
      return { kind: 'digest', pull: s.digest[pullKey], tag: s.digest.tag, dockerfile: s.digest.dockerfile ?? null };
    }
    return { error: jsonError(400, 'The source property must have at least one of tag, digest, or archive set to non-null') };
  }
  if (!v2 && b.digest !== undefined) {
    if (b.tag === undefined) return { error: jsonError(400, 'For a digest-based analysis, the tag property must also be populated') };
    const pull = b.digest.includes('@') ? b.digest : `${parseDockerImageString(b.tag).registry}/${parseDockerImageString(b.tag).repo}@${b.digest}`;
    return { kind: 'digest', pull, tag: b.tag, dockerfile: b.dockerfile ?? null };
  }
  if (!v2 && b.tag !== undefined) return { kind: 'tag', pull: b.tag, dockerfile: b.dockerfile ?? null };
  return { error: jsonError(400, 'Must include either "tag", "tag" and "digest", or "source" property in body') };
}

/**
 * 400 for an image the registry does not have. Shape of the recorded skopeo
 * failures (v1-error-400-registry-*.json); skopeo's "manifest unknown" maps to
 * REGISTRY_IMAGE_NOT_FOUND [E clients/skopeo_wrapper.py SkopeoError]. As in
 * the engine, `message` is generic and the image is named in
 * detail.raw_exception_message.
 */
function registryNotFound(engine, pull, ref) {
  const ts = iso(engine.now());
  const what = ref.digest ?? ref.tag;
  const stderr = `b'time="${ts}" level=fatal msg="Error reading manifest ${what} in ${ref.registry}/${ref.repo}: manifest unknown: manifest unknown" \\n'`;
  return jsonError(400, 'cannot fetch image digest/manifest from registry', {
    error_codes: ['REGISTRY_IMAGE_NOT_FOUND'],
    raw_exception_message: `Error encountered in skopeo operation. cmd=/bin/sh -c skopeo  inspect --raw --tls-verify=true  docker://${pull}, rc=1, stdout=None, stderr=${stderr}, error_code=REGISTRY_IMAGE_NOT_FOUND`,
  });
}

function addImage(ctx, params, query) {
  const engine = ctx.engine;
  const bools = checkBools(query, { force: false }).values;
  const src = normalizeAddSource(ctx, ctx.body);
  if (src.error) return src.error;
  let ref;
  let spec;
  try {
    if (src.kind === 'tag') {
      ref = parseDockerImageString(src.pull);
      if (!ref.fulltag) return jsonError(400, `Error parsing pullstring ${src.pull}`);
      spec = engine.lookupTag(ref);
      if (!spec) return registryNotFound(engine, ref.fulltag, ref);
    } else {
      const dref = parseDockerImageString(src.pull);
      ref = parseDockerImageString(src.tag);
      if (!dref.digest || !ref.fulltag) return jsonError(400, `Error parsing pullstring ${src.pull}`);
      if (bools.force && !engine.recordsOf(ctx.account).has(dref.digest)) {
        return jsonError(400, 'image digest must already exist to force re-analyze using tag+digest');
      }
      spec = engine.byDigest.get(dref.digest);
      if (!spec) return registryNotFound(engine, dref.fulldigest, dref);
    }
  } catch (err) {
    // parse_dockerimage_string raises ValueError -> 400 [E images.py add_image]
    return jsonError(400, err.message);
  }
  const rec = engine.addImage(ctx.account, spec, ref, {
    force: bools.force, dockerfile: src.dockerfile, annotations: ctx.body.annotations,
  });
  const body = recordBody(ctx, rec);
  // v1: AnchoreImageList, a one-element list; v2: a single AnchoreImage
  return { status: 200, body: ctx.api === 'v2' ? body : [body] };
}

function findRecord(ctx, digest) {
  return ctx.engine.recordsOf(ctx.account).get(digest) ?? null;
}

// catalog 404 for an unknown digest (engine-api.md §2.3)
const imageNotFound = () => jsonError(404, 'image not found in DB');

function getImage(ctx, params, query) {
  const rec = findRecord(ctx, params.digest);
  if (!rec) return imageNotFound();
  if (ctx.api === 'v2') return { status: 200, body: v2Record(ctx.engine, rec) };
  const detail = String(query.detail ?? 'true').toLowerCase() !== 'false';
  return { status: 200, body: [v1Record(ctx.engine, rec, { detail })] };
}

function getImageById(ctx, params, query) {
  const rec = [...ctx.engine.recordsOf(ctx.account).values()].find((r) => r.spec.imageId === params.imageId);
  if (!rec) return imageNotFound();
  return getImage(ctx, { digest: rec.digest }, query);
}

/** 404 "image is not analyzed - analysis_status: <state>" (fixtures v1-error-404-not-analyzed-*.json). */
function requireAnalyzed(ctx, rec) {
  const st = ctx.engine.phase(rec);
  return st === 'analyzed' ? null : jsonError(404, `image is not analyzed - analysis_status: ${st}`);
}

function resolveBase(ctx, rec, baseParam) {
  if (baseParam === undefined || baseParam === '') return null;
  if (baseParam === 'auto') return rec.spec.baseDigest;
  return baseParam;
}

function checkImage(ctx, params, query) {
  const engine = ctx.engine;
  const v2 = ctx.api === 'v2';
  const bools = checkBools(query, { detail: true, history: false, interactive: false }).values;
  // order of checks as in [E images.py images_imageDigest_check / images_check_impl]
  const rec = findRecord(ctx, params.digest);
  if (!rec) return imageNotFound();
  const notReady = requireAnalyzed(ctx, rec);
  if (notReady) return notReady;

  const policyParam = v2 ? query.policy_id : query.policyId;
  let policy;
  if (policyParam) {
    policy = engine.policyById(policyParam);
    // Unknown policy id: images_check_impl calls catalog GET /policies/{id},
    // which answers 404 "Policy bundle <id> not found in DB"
    // [E services/catalog/api/controllers/policies.py get_policy]; the internal
    // client raises with that JSON attached [E clients/services/http.py
    // anchy_get] and make_response_error copies its message/httpcode/detail
    // [E common/helpers.py], so the API answers 404 with the catalog's body.
    // v2: same lineage assumed; the spec only declares 404 (inferred).
    if (!policy) return policyNotFound(policyParam);
  } else {
    policy = engine.activePolicy();
    if (!policy) return jsonError(404, `user has no active policy to evaluate: ${ctx.account}`);
  }

  // the tag is normalised without a registry lookup (engine-api.md §2.4 step 3)
  let tag = query.tag;
  try {
    const p = parseDockerImageString(tag);
    if (p.fulltag) tag = p.fulltag;
  } catch { /* kept as sent, like get_image_info failing softly */ }

  const evalMs = engine.evaluationTime(rec, tag, policy.id, bools.interactive);
  const { finalAction, reason, status: evalStatus } = engine.decision(rec.spec);

  if (!v2) {
    const entry = {
      detail: bools.detail ? { policy: v1BundleFor(policy), result: v1EvalResult(engine, rec, tag, policy, evalMs) } : {},
      last_evaluation: iso(evalMs),
      policyId: policy.id,
      status: evalStatus,
    };
    // key = digest as stored, i.e. the decoded sha256:... (engine-api.md §3.6)
    return { status: 200, body: [{ [rec.digest]: { [tag]: [entry] } }] };
  }

  const base = resolveBase(ctx, rec, query.base_digest);
  const findings = rec.spec.findings.map((f) => v2Finding(f, Boolean(base)));
  const pol = v2PolicyFor(policy);
  return {
    status: 200,
    body: {
      policy_id: policy.id,
      image_digest: rec.digest,
      evaluated_tag: tag,
      evaluations: [{
        comparison_image_digest: base,
        details: bools.detail
          ? { policy: pol, findings, policy_action: rec.spec.policyAction, remediations: null }
          : null,
        evaluation_time: iso(evalMs),
        evaluation_problems: [],
        status: evalStatus,
        final_action: finalAction,
        final_action_reason: reason,
        image_allowlisted: reason === 'allowlisted',
        matched_allowlisted_images_rule: null,
        image_denylisted: reason === 'denylisted',
        matched_denylisted_images_rule: null,
        image_mapped_to_rule: true,
        matched_mapping_rule: clone(pol.mappings[0]),
        number_of_findings: findings.length,
      }],
    },
  };
}

function vulnTypes(ctx) {
  // anchore_engine.common.image_vulnerability_types + ['all'] [E images.py]
  return { status: 200, body: ['os', 'non-os', 'all'] };
}

function vulnList(ctx, params, query) {
  const v2 = ctx.api === 'v2';
  const vtype = params.vtype;
  // v1 checks the type first: 404 "content type (x) not available" [E images.py vulnerability_query]
  if (!['os', 'non-os', 'all'].includes(vtype)) return jsonError(404, `content type (${vtype}) not available`);
  const rec = findRecord(ctx, params.digest);
  if (!rec) return imageNotFound();
  const notReady = requireAnalyzed(ctx, rec);
  if (notReady) return notReady;
  const vendorOnly = checkBools(query, { vendor_only: true }).values.vendor_only;
  const vulns = filterVulns(rec.spec, vtype, vendorOnly);
  if (!v2) {
    // imageDigest is the digest as given in the path (after %3A decoding)
    return { status: 200, body: { imageDigest: params.digest, vulnerability_type: vtype, vulnerabilities: vulns.map(v1Vuln) } };
  }
  const base = resolveBase(ctx, rec, query.base_digest);
  const analyzedAt = rec.analysisStart + rec.spec.analysisMs;
  return {
    status: 200,
    body: {
      image_digest: rec.digest,
      ...(base ? { base_digest: base } : {}),
      base_image_problems: [],
      vulnerability_type: vtype,
      extended_support: false,
      vulnerabilities: vulns.map((v) => v2Vuln(v, Boolean(base), analyzedAt)),
    },
  };
}

function ancestors(ctx, params) {
  const rec = findRecord(ctx, params.digest);
  if (!rec) return imageNotFound();
  // ancestry comes from analysed layers; before that we answer like the other
  // analysis-dependent routes (inferred)
  const notReady = requireAnalyzed(ctx, rec);
  if (notReady) return notReady;
  const baseDigest = rec.spec.baseDigest;
  if (!baseDigest) return { status: 200, body: [] };
  const baseSpec = ctx.engine.byDigest.get(baseDigest);
  const layerCount = baseSpec?.metadata.layer_count ?? 1;
  return {
    status: 200,
    body: [{
      image_digest: baseDigest,
      parent_digest: baseSpec?.parentDigest ?? baseDigest,
      tags: baseSpec ? [baseSpec.ref.fulltag] : [],
      layers: Array.from({ length: layerCount }, (_, i) => `sha256:${sha256Hex(`${baseDigest}/layer/${i}`)}`),
      user_marked_base: false,
      chosen_base_image: true,
    }],
  };
}

// ---------------------------------------------------------------------------
// the server
// ---------------------------------------------------------------------------

function sendResponse(res, r) {
  if (res.headersSent || res.destroyed) return;
  let payload;
  let type;
  if (r.raw !== undefined) {
    payload = String(r.raw);
    type = r.type ?? 'text/plain; charset=utf-8';
  } else {
    // the engine pretty-prints JSON (JSONIFY_PRETTYPRINT_REGULAR, engine-api.md §1.1)
    payload = `${JSON.stringify(r.body, null, 2)}\n`;
    type = r.type ?? 'application/json';
  }
  res.writeHead(r.status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(payload), ...(r.headers ?? {}) });
  if (r.cutAfter != null && !r.head) {
    // a connection lost mid-body: part of it, then the socket closes
    res.write(Buffer.from(payload).subarray(0, r.cutAfter), () => res.socket?.destroy());
    return;
  }
  res.end(r.head ? undefined : payload);
}

/**
 * 401 exactly as [E apis/authorization.py]: a flask Response with body
 * "Unauthorized" (flask's default text/html mimetype) and the Basic challenge.
 */
const UNAUTHORIZED = {
  status: 401,
  raw: 'Unauthorized',
  type: 'text/html; charset=utf-8',
  headers: { 'WWW-Authenticate': 'basic realm="Authentication required"' },
};

/**
 * Fault hook: `scenario.faults` is a list of functions called for every
 * request, in order, with { api, method, path, segments, query, user, account,
 * body, n } (n = 0-based request number). The first one that returns a truthy
 * value decides:
 *   { delayMs }              wait, then answer normally (unless more is given)
 *   { status, body, headers, type }   answer this instead (object body -> JSON,
 *                                    string -> text)
 *   { destroy: true }        drop the connection without an answer
 *   { transform(result) }    answer normally, but with transform({status, body|raw,
 *                            type, headers}) instead (e.g. a truncated body)
 *   { cutAfter: n }          answer normally, but close the connection after n
 *                            bytes of the body (Content-Length says the full size)
 *   { respond(res, req) }    write the whole answer yourself (e.g. an endless stream)
 * (see engine-double/faults.js for ready-made faults).
 * The array is live: tests may push/splice faults while the double runs.
 */
async function runFaults(scenario, info) {
  for (const f of scenario.faults ?? []) {
    const out = typeof f === 'function' ? await f(info) : null;
    if (out) return out;
  }
  return null;
}

/**
 * Start the double.
 * @param {object} options
 * @param {'v1'|'v2'} [options.api='v1']
 * @param {string} [options.host='127.0.0.1']
 * @param {number} [options.port=0]       0 = any free port
 * @param {object} [options.scenario]     see scenarios.js; default demoScenario()
 * @param {() => number} [options.now]    clock in epoch ms (default Date.now); tests
 *                                        can pass a manual clock to step through states
 * @returns {Promise<{url, port, api, log, scenario, statusOf, image, close}>}
 */
export async function startEngineDouble(options = {}) {
  const api = options.api ?? 'v1';
  if (!['v1', 'v2'].includes(api)) throw new Error(`api must be 'v1' or 'v2', got ${api}`);
  const host = options.host ?? '127.0.0.1';
  const now = options.now ?? (() => Date.now());
  const resolved = resolveScenario(options.scenario);
  const engine = new Engine(api, resolved, now);
  const routes = buildRoutes(api);
  const log = [];
  const t0 = performance.now();
  let counter = 0;

  async function handle(req, res) {
    const url = new URL(req.url, 'http://double.invalid');
    let path;
    try {
      // werkzeug decodes the path before routing, so sha256%3A... reaches the
      // handler as sha256:... (engine-api.md §3.6)
      path = decodeURIComponent(url.pathname);
    } catch {
      path = url.pathname;
    }
    const query = {};
    // request.args[name] yields the first value of a repeated parameter
    for (const [k, v] of url.searchParams) if (!(k in query)) query[k] = v;
    const creds = parseBasicAuth(req.headers.authorization);
    const accountHeader = req.headers['x-anchore-account'] ?? null;

    const chunks = [];
    for await (const c of req) chunks.push(c);
    const text = Buffer.concat(chunks).toString('utf8');
    let body = null;
    let bodyError = false;
    if (text.trim() !== '') {
      try { body = JSON.parse(text); } catch { bodyError = true; }
    }

    const entry = {
      t: performance.now() - t0, method: req.method, path, query, status: null,
      user: creds?.user ?? null, account: accountHeader, body,
    };
    log.push(entry);
    const n = counter++;

    const segs = path.split('/').filter((s, i, all) => !(s === '' && (i === 0 || i === all.length - 1)));
    const fault = await runFaults(engine.scenario, {
      api, method: req.method, path, segments: segs, query, user: entry.user, account: accountHeader, body, n,
    });
    if (fault?.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
    if (fault?.respond) {
      // the fault writes the whole answer itself (e.g. a stream of any length)
      entry.status = fault.status ?? 200;
      await fault.respond(res, req);
      return;
    }
    if (fault?.destroy) {
      entry.status = 0;
      req.socket.destroy();
      return;
    }
    if (fault && fault.status) {
      entry.status = fault.status;
      const r = typeof fault.body === 'string'
        ? { status: fault.status, raw: fault.body, type: fault.type, headers: fault.headers }
        : { status: fault.status, body: fault.body ?? null, type: fault.type, headers: fault.headers };
      sendResponse(res, r);
      return;
    }

    let result = route(segs, req.method, query, creds, accountHeader, body, bodyError);
    if (fault?.transform) result = fault.transform(result) ?? result;
    entry.status = result.status;
    sendResponse(res, { ...result, head: req.method === 'HEAD', cutAfter: fault?.cutAfter });
  }

  function route(segsIn, method, query, creds, accountHeader, body, bodyError) {
    let segs = segsIn;
    // prefixes: v1 serves /v1/... and rewrites anything else to /v1
    // [E twisted.py _default_version_rewrite]; v2 lives under /v2 with
    // /version, /health and /swagger.json also at the root (engine-api.md §4.1)
    if (segs[0] === api) segs = segs.slice(1);
    else if (api === 'v2' && !(segs.length === 1 && ['version', 'health', 'swagger.json'].includes(segs[0]))) return notFoundRoute();
    // strict_slashes = False: empty segments from trailing slashes were dropped above
    const m = matchRoute(routes, method, segs);
    if (!m.route) {
      return m.pathMatched ? problem(405, 'Method Not Allowed', 'The method is not allowed for the requested URL.') : notFoundRoute();
    }
    const { route: r, params } = m;
    if (params.digest !== undefined) params.digest = params.digest.trim();
    const ctx = { api, engine, body, bodyError, account: null, user: creds?.user ?? null };
    const invalid = r.validate?.(params, query, ctx);
    if (invalid) return invalid;
    if (r.auth !== false) {
      const users = engine.scenario.users;
      if (!creds || !Object.hasOwn(users, creds.user) || users[creds.user] !== creds.pass) return UNAUTHORIZED;
      const own = engine.accountOf(creds.user);
      ctx.account = accountHeader ?? own;
      if (accountHeader && !engine.scenario.accounts.includes(accountHeader) && r.action) {
        // [E apis/authorization.py] UnauthorizedError -> make_response_error(..., 403)
        return jsonError(403, `Not authorized. Requires permissions: domain=${accountHeader} action=${r.action} target=*`);
      }
    }
    try {
      return r.handler(ctx, params, query);
    } catch (err) {
      return jsonError(500, `internal error in engine double: ${err.message}`);
    }
  }

  // options.tls = { key, cert } (PEM): serve HTTPS instead of HTTP
  const listener = (req, res) => {
    handle(req, res).catch((err) => {
      if (!res.headersSent) sendResponse(res, jsonError(500, String(err?.message ?? err)));
    });
  };
  const server = options.tls
    ? https.createServer({ key: options.tls.key, cert: options.tls.cert }, listener)
    : http.createServer(listener);
  const sockets = new Set();
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => { server.off('error', reject); resolve(); });
  });
  const port = server.address().port;
  const hostForUrl = host.includes(':') ? `[${host}]` : host;
  return {
    // options.urlHost: the host name to put in the URL (e.g. 'localhost' for a certificate's name)
    url: `${options.tls ? 'https' : 'http'}://${options.urlHost ?? hostForUrl}:${port}/${api}`,
    port,
    api,
    log,
    scenario: engine.scenario,
    /** test helper: the analysis status a record of `account` has right now, or null */
    statusOf(digest, account = engine.scenario.accounts[0]) {
      const rec = engine.recordsOf(account).get(digest);
      return rec ? engine.phase(rec) : null;
    },
    /** test helper: the registry entry (resolved image spec) for a reference */
    image(reference) {
      return engine.lookupTag(parseDockerImageString(reference));
    },
    /**
     * The engine goes away for `ms` and comes back on the same port: open connections are
     * dropped and new ones refused meanwhile. Resolves when it listens again.
     */
    async outage(ms) {
      await new Promise((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
      await new Promise((resolve) => setTimeout(resolve, ms));
      await new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => { server.off('error', reject); resolve(); });
      });
    },
    async close() {
      await new Promise((resolve) => {
        if (!server.listening) { resolve(); return; }
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
    },
  };
}

// re-exported for tests and other engineers' code
export { DEFAULT_POLICY_ID, DEFAULT_POLICY_NAME };
