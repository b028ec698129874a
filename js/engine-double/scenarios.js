// Scenarios for the Anchore Engine / Enterprise test double (server.js).
//
// A scenario describes the "world" behind the API: which users exist, which
// accounts may be impersonated with x-anchore-account, which policy bundles
// exist, and which images the (imaginary) registries hold together with the
// analysis result the engine will eventually produce for each of them.
//
// Scenario format (other code depends on it; keep it stable):
//
//   {
//     users: { admin: 'foobar' },          // HTTP Basic users; default { admin: 'foobar' }
//     accounts: ['admin'],                 // allowed x-anchore-account values, else 403
//     policies: [{ id, name, active }],    // default: stock bundle 2c53a13c-... "Default bundle", active
//     images: {                            // key: image reference, matched after the ENGINE's
//       'docker.io/library/debian:latest': {   // tag normalisation (parseDockerImageString)
//         digest, imageId,                 // optional; default derived from the normalised tag
//         analysisMs: 2000,                // add -> terminal state; not_analyzed for the first 25%
//         outcome: 'analyzed',             // or 'analysis_failed'
//         findings: [{ gate, trigger, message, action, trigger_id?, allowlisted?,
//                      inherited_from_base?, policy_id?, rule_id?, recommendation? }],
//         vulnerabilities: [{ vuln, severity, package_name, package_version, package_type,
//                             fix?, url?, feed_group?, inherited_from_base? }],
//         baseDigest,                      // optional: v2 /ancestors returns it as chosen base
//         finalAction,                     // optional override of the computed final action
//       },
//     },
//     faults: [],                          // fault-injection hook, see server.js `runFaults`
//   }
//
// Optional extra image keys understood by the double (all have defaults):
//   metadata: { arch, distro, distro_version, image_size, layer_count }
//   parentDigest, allowlist_match (per finding: { id, name, matched_rule_id }),
//   vulnerability extras: package_path, package_cpe, package_cpe23, nvd_data,
//   vendor_data, will_not_fix, feed.
//
// The double ships in the npm package and cannot read ../shared at run time,
// so the realistic sample values below are COPIED from the recorded fixtures
// in shared/fixtures/engine/ (see the comment above each block).

import { createHash } from 'node:crypto';

export const DEFAULT_POLICY_ID = '2c53a13c-1765-11e8-82ef-23527761d060';
export const DEFAULT_POLICY_NAME = 'Default bundle';
/** id of the policy (inside the bundle) whose rules fire; `Policy_Id` column of a v1 row */
export const DEFAULT_INNER_POLICY_ID = '48e6f7d6-1765-11e8-b5f9-8b6f228548b6';
export const DEFAULT_WHITELIST_ID = '37fd763e-1765-11e8-add4-3b16c029ac5c';
export const DEFAULT_WHITELIST_NAME = 'Global Whitelist';

// Rule ids of the stock bundle (see DEFAULT_BUNDLE below).
export const RULE_IDS = Object.freeze({
  exposedPorts: 'ce7b8000-829b-4c27-8122-69cd59018400',
  healthcheck: '312d9e41-1c05-4e2f-ad89-b7d34b0855bb',
  staleFeed: '6b5c14e7-a6f7-48cc-99d2-959273a2c6fa',
  vulnDataUnavailable: '3e79ea94-18c4-4d26-9e29-3b9172a62c2e',
  vulnMedium: '6063fdde-b1c5-46af-973a-915739451ac4',
  vulnAboveMedium: 'b30e8abc-444f-45b1-8a37-55be1b8c8bb5',
});

/**
 * The stock "Default bundle" exactly as the engine returns it under
 * `detail.policy` — copied from shared/fixtures/engine/v1-check-fail-detail.json
 * (DefectDojo recording, 2020-03-06).
 */
export const DEFAULT_BUNDLE = Object.freeze({
  blacklisted_images: [],
  comment: 'Default bundle',
  id: DEFAULT_POLICY_ID,
  mappings: [
    {
      id: 'c4f9bf74-dc38-4ddf-b5cf-00e9c0074611',
      image: { type: 'tag', value: '*' },
      name: 'default',
      policy_id: DEFAULT_INNER_POLICY_ID,
      registry: '*',
      repository: '*',
      whitelist_ids: [DEFAULT_WHITELIST_ID],
    },
  ],
  name: 'Default bundle',
  policies: [
    {
      comment: 'System default policy',
      id: DEFAULT_INNER_POLICY_ID,
      name: 'DefaultPolicy',
      rules: [
        { action: 'STOP', gate: 'dockerfile', id: RULE_IDS.exposedPorts,
          params: [{ name: 'ports', value: '22' }, { name: 'type', value: 'blacklist' }], trigger: 'exposed_ports' },
        { action: 'WARN', gate: 'dockerfile', id: RULE_IDS.healthcheck,
          params: [{ name: 'instruction', value: 'HEALTHCHECK' }, { name: 'check', value: 'not_exists' }], trigger: 'instruction' },
        { action: 'WARN', gate: 'vulnerabilities', id: RULE_IDS.staleFeed,
          params: [{ name: 'max_days_since_sync', value: '2' }], trigger: 'stale_feed_data' },
        { action: 'WARN', gate: 'vulnerabilities', id: RULE_IDS.vulnDataUnavailable,
          params: [], trigger: 'vulnerability_data_unavailable' },
        { action: 'WARN', gate: 'vulnerabilities', id: RULE_IDS.vulnMedium,
          params: [{ name: 'package_type', value: 'all' }, { name: 'severity_comparison', value: '=' }, { name: 'severity', value: 'medium' }], trigger: 'package' },
        { action: 'STOP', gate: 'vulnerabilities', id: RULE_IDS.vulnAboveMedium,
          params: [{ name: 'package_type', value: 'all' }, { name: 'severity_comparison', value: '>' }, { name: 'severity', value: 'medium' }], trigger: 'package' },
      ],
      version: '1_0',
    },
  ],
  version: '1_0',
  whitelisted_images: [],
  whitelists: [
    { comment: 'Default global whitelist', id: DEFAULT_WHITELIST_ID, items: [], name: DEFAULT_WHITELIST_NAME, version: '1_0' },
  ],
});

/** Package types the engine reports as "non-os" (engine-api.md §2.5); everything else is "os". */
export const NON_OS_PACKAGE_TYPES = Object.freeze(['java', 'python', 'npm', 'gem', 'maven', 'js', 'composer', 'nuget', 'binary', 'go']);

export const SEVERITIES = Object.freeze(['Unknown', 'Negligible', 'Low', 'Medium', 'High', 'Critical']);

export function sha256Hex(text) {
  return createHash('sha256').update(String(text)).digest('hex');
}

export function md5Hex(text) {
  return createHash('md5').update(String(text)).digest('hex');
}

/** Deterministic UUID-looking id (for rule ids etc.). */
export function derivedUuid(text) {
  const h = md5Hex(text);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

export function isNonOsPackageType(type) {
  return NON_OS_PACKAGE_TYPES.includes(String(type ?? '').toLowerCase());
}

/**
 * Port of the engine's `parse_dockerimage_string` (anchore_engine/utils.py):
 * the normalisation the ENGINE applies to tags — default registry docker.io,
 * default tag latest, and NO `library/` prefix. So `alpine:3.9` becomes
 * `docker.io/alpine:3.9` and `3.9` becomes `docker.io/3.9:latest`
 * (recorded in v1-check-pass-shortname-tag.json).
 *
 * Returns { host, port, repo, tag, registry, repotag, fulltag, digest,
 * fulldigest, imageId, pullstring }. Throws Error (the engine: ValueError) on
 * characters outside [a-zA-Z0-9@:/_.-] when strict.
 */
export function parseDockerImageString(input, { strict = true } = {}) {
  let instr = String(input).trim();
  if (strict) {
    const bad = instr.match(/[^a-zA-Z0-9@:/_.-]/g);
    if (bad) {
      // Python prints the list repr, e.g. ['!', ' ']
      throw new Error(`bad character(s) [${bad.map((c) => `'${c}'`).join(', ')}] in dockerimage string input (${instr})`);
    }
  }
  let host = null, port = null, repo = null, tag = null, registry = null, repotag = null;
  let fulltag = null, fulldigest = null, digest = null, imageId = null;

  if (/^sha256:/.test(instr)) {
    registry = 'docker.io';
    digest = instr;
  } else if (instr.length === 64 && !/[^0-9a-fA-F]/.test(instr)) {
    imageId = instr;
  } else {
    let remain;
    const slash = instr.match(/^(.*?)\/(.*)$/s);
    if (slash) {
      const a = slash[1];
      remain = slash[2];
      const hp = a.match(/^(.*?):(.*)$/s);
      if (hp) {
        host = hp[1];
        port = hp[2];
      } else if (a === 'docker.io') {
        host = 'docker.io';
      } else if (['localhost', 'localhost.localdomain', 'localbuild'].includes(a)) {
        host = a;
      } else if (/^.*\..*$/s.test(a)) {
        host = a;
      } else {
        host = 'docker.io';
        remain = instr;
      }
    } else {
      host = 'docker.io';
      remain = instr;
    }
    const at = remain.match(/^(.*)@(.*)$/s);
    if (at) {
      repo = at[1];
      digest = at[2];
    } else {
      const colon = remain.match(/^(.*):(.*)$/s);
      if (colon) {
        repo = colon[1];
        tag = colon[2];
      } else {
        repo = remain;
        tag = 'latest';
      }
    }
    if (!tag) tag = 'latest';
    registry = port ? `${host}:${port}` : host;
    repotag = digest ? `${repo}@${digest}` : `${repo}:${tag}`;
    fulltag = `${registry}/${repotag}`;
    if (!digest) {
      digest = null;
    } else {
      fulldigest = `${registry}/${repo}@${digest}`;
      tag = null;
      fulltag = null;
      repotag = null;
    }
  }
  return {
    host, port, repo, tag, registry, repotag, fulltag, digest, fulldigest, imageId,
    pullstring: fulldigest ?? fulltag ?? null,
  };
}

/** Full tag as the engine would store it, or null when the input is a digest/id. */
export function normalizeTag(input) {
  return parseDockerImageString(input).fulltag;
}

// ---------------------------------------------------------------------------
// Finding builders (match the default bundle's rules and the engine's texts)
// ---------------------------------------------------------------------------

/**
 * The finding the stock bundle produces for a vulnerability, or null when no
 * rule fires: severity == medium -> WARN (rule 6063fdde), > medium -> STOP
 * (rule b30e8abc). Message and trigger id follow the rows of
 * v1-check-fail-detail.json, e.g.
 *   "HIGH Vulnerability found in non-os package type (java) - <path> (<id> - <url>)"
 *   trigger_id "CVE-2015-6420+commons-collections-3.2.1.jar"
 */
export function vulnFinding(v, extra = {}) {
  const rank = SEVERITIES.indexOf(v.severity);
  const medium = SEVERITIES.indexOf('Medium');
  if (rank < medium) return null;
  const nonOs = isNonOsPackageType(v.package_type);
  const url = v.url ?? 'None';
  let where, trig;
  if (nonOs) {
    const path = v.package_path ?? `${v.package_name}-${v.package_version}`;
    where = path;
    const base = path.split('/').pop();
    trig = v.package_type === 'java' ? base : `${v.package_name}-${v.package_version}`;
  } else {
    where = v.package_name;
    trig = v.package_name;
  }
  const stop = rank > medium;
  return {
    trigger_id: `${v.vuln}+${trig}`,
    gate: 'vulnerabilities',
    trigger: 'package',
    message: `${String(v.severity).toUpperCase()} Vulnerability found in ${nonOs ? 'non-os' : 'os'} package type (${v.package_type}) - ${where} (${v.vuln} - ${url})`,
    action: stop ? 'stop' : 'warn',
    rule_id: stop ? RULE_IDS.vulnAboveMedium : RULE_IDS.vulnMedium,
    policy_id: DEFAULT_INNER_POLICY_ID,
    ...(v.inherited_from_base !== undefined ? { inherited_from_base: v.inherited_from_base } : {}),
    ...extra,
  };
}

/** All findings the stock bundle's vulnerability rules produce for a list of vulnerabilities. */
export function vulnFindings(vulns) {
  return vulns.map((v) => vulnFinding(v)).filter(Boolean);
}

/**
 * The dockerfile HEALTHCHECK finding — a real row of v1-check-fail-detail.json
 * (trigger id 41cb7cdf04850e33a11f80c42bf660b3, action warn).
 */
export function healthcheckFinding(extra = {}) {
  return {
    trigger_id: '41cb7cdf04850e33a11f80c42bf660b3',
    gate: 'dockerfile',
    trigger: 'instruction',
    message: "Dockerfile directive 'HEALTHCHECK' not found, matching condition 'not_exists' check",
    action: 'warn',
    rule_id: RULE_IDS.healthcheck,
    policy_id: DEFAULT_INNER_POLICY_ID,
    ...extra,
  };
}

/** A vulnerability record for scenarios; fills `url` like the feeds do. */
export function vuln(vulnId, severity, packageName, packageVersion, packageType, extra = {}) {
  return { vuln: vulnId, severity, package_name: packageName, package_version: packageVersion, package_type: packageType, ...extra };
}

/**
 * Fill the top-level defaults of a scenario (users, accounts, policies, faults).
 * Image specs are resolved by the server (it needs the registry semantics).
 */
export function makeScenario(partial = {}) {
  return {
    users: partial.users ?? { admin: 'foobar' },
    accounts: partial.accounts ?? ['admin'],
    policies: partial.policies ?? [{ id: DEFAULT_POLICY_ID, name: DEFAULT_POLICY_NAME, active: true }],
    images: partial.images ?? {},
    faults: partial.faults ?? [],
    ...Object.fromEntries(Object.entries(partial).filter(([k]) => !['users', 'accounts', 'policies', 'images', 'faults'].includes(k))),
  };
}

// ---------------------------------------------------------------------------
// Sample data copied from the recorded fixtures
// ---------------------------------------------------------------------------

const DEBIAN_TRACKER = 'https://security-tracker.debian.org/tracker/';

// Rows of shared/fixtures/engine/v1-vuln-os-debian.json (DefectDojo recording, debian:9).
const DEBIAN9 = {
  apt: vuln('CVE-2011-3374', 'Negligible', 'apt', '1.4.9', 'dpkg', { feed_group: 'debian:9', url: `${DEBIAN_TRACKER}CVE-2011-3374` }),
  gnutlsMedium: vuln('CVE-2011-3389', 'Medium', 'libgnutls30', '3.5.8-5+deb9u4', 'dpkg', { feed_group: 'debian:9', url: `${DEBIAN_TRACKER}CVE-2011-3389` }),
  gnutlsLow: vuln('CVE-2018-16868', 'Low', 'libgnutls30', '3.5.8-5+deb9u4', 'dpkg', { feed_group: 'debian:9', url: `${DEBIAN_TRACKER}CVE-2018-16868` }),
  udevMedium: vuln('CVE-2019-3842', 'Medium', 'libudev1', '232-25+deb9u9', 'dpkg', { fix: '232-25+deb9u11', feed_group: 'debian:9', url: `${DEBIAN_TRACKER}CVE-2019-3842` }),
  login: vuln('CVE-2007-5686', 'Negligible', 'login', '1:4.4-4.1', 'dpkg', { feed_group: 'debian:9', url: `${DEBIAN_TRACKER}CVE-2007-5686` }),
  tar: vuln('CVE-2019-9923', 'Negligible', 'tar', '1.29b-1.1', 'dpkg', { feed_group: 'debian:9', url: `${DEBIAN_TRACKER}CVE-2019-9923` }),
  wget: vuln('CVE-2019-5953', 'Unknown', 'wget', '1.18-5+deb9u2', 'dpkg', { fix: '1.18-5+deb9u3', feed_group: 'debian:9', url: `${DEBIAN_TRACKER}CVE-2019-5953` }),
};

// Rows of shared/fixtures/engine/v1-vuln-all-alpine.json (bsidesbud-workshop, engine 0.3.3).
const ALPINE39 = [
  vuln('CVE-2019-1543', 'Medium', 'libcrypto1.1', '1.1.1a-r1', 'APKG', { fix: '1.1.1b-r1', feed_group: 'alpine:3.9', url: 'http://cve.mitre.org/cgi-bin/cvename.cgi?name=CVE-2019-1543' }),
  vuln('CVE-2019-1543', 'Medium', 'libssl1.1', '1.1.1a-r1', 'APKG', { fix: '1.1.1b-r1', feed_group: 'alpine:3.9', url: 'http://cve.mitre.org/cgi-bin/cvename.cgi?name=CVE-2019-1543' }),
];

const NVD = 'https://nvd.nist.gov/vuln/detail/';
// Package paths, ids and severities from the rows of
// shared/fixtures/engine/v1-check-fail-detail.json (gcr.io/jenkinsxio/builder-maven:latest);
// the jdk entry is the first row of v1-vuln-all-nvd-java.json. The rpm package
// version (fribidi) is not in the recording and is illustrative.
const BUILDER_MAVEN = [
  vuln('CVE-2015-2992', 'Medium', 'struts-core', '1.3.8', 'java', { feed_group: 'nvdv2:cves', url: `${NVD}CVE-2015-2992`,
    package_path: '/root/.m2/repository/org/apache/struts/struts-core/1.3.8/struts-core-1.3.8.jar' }),
  vuln('CVE-2015-6420', 'High', 'commons-collections', '3.2.1', 'java', { feed_group: 'nvdv2:cves', url: `${NVD}CVE-2015-6420`,
    package_path: '/root/.m2/repository/commons-collections/commons-collections/3.2.1/commons-collections-3.2.1.jar' }),
  vuln('CVE-2017-1000487', 'Critical', 'plexus-utils', '3.0.15', 'java', { feed_group: 'nvdv2:cves', url: `${NVD}CVE-2017-1000487`,
    package_path: '/root/.m2/repository/org/codehaus/plexus/plexus-utils/3.0.15/plexus-utils-3.0.15.jar' }),
  vuln('CVE-2005-3906', 'High', 'jdk', '1.4', 'java', { feed_group: 'nvdv2:cves', url: `${NVD}CVE-2005-3906`,
    package_path: '/usr/share/contoso-petstore/contoso-petstore.war:WEB-INF/deployed-addons/jdk-tool.hpi',
    package_cpe: 'cpe:/a:-:jdk:1.4:-:-', package_cpe23: 'cpe:2.3:a:-:jdk:1.4:-:-:-:-:-:-:-',
    nvd_data: [{ cvss_v2: { base_score: 7.5, exploitability_score: 10.0, impact_score: 6.4 },
      cvss_v3: { base_score: -1.0, exploitability_score: -1.0, impact_score: -1.0 }, id: 'CVE-2005-3906' }] }),
  vuln('CVE-2014-9365', 'Medium', 'Python', '2.7.5', 'python', { feed_group: 'nvdv2:cves', url: `${NVD}CVE-2014-9365`,
    package_path: '/usr/lib64/python2.7/lib-dynload/Python' }),
  vuln('CVE-2019-9948', 'Critical', 'Python', '2.7.5', 'python', { feed_group: 'nvdv2:cves', url: `${NVD}CVE-2019-9948`,
    package_path: '/usr/lib64/python2.7/lib-dynload/Python' }),
  vuln('RHSA-2019:4326', 'High', 'fribidi', '1.0.2-1.el7', 'rpm', { feed_group: 'centos:7', fix: '1.0.2-1.el7_7.1',
    url: 'https://access.redhat.com/errata/RHSA-2019:4326' }),
];

/**
 * The demo world: five images covering every outcome a gate must handle.
 *
 *  - docker.io/library/debian:9     GO / pass, three low vulns, one allowlisted WARN finding
 *  - docker.io/library/nginx:1.15   WARN / pass, based on debian:9 (v2 ancestors, inherited findings)
 *  - docker.io/alpine:3.9           WARN / pass (the recorded alpine image and vulns)
 *  - gcr.io/jenkinsxio/builder-maven:latest  STOP / fail (the recorded DefectDojo evaluation)
 *  - registry.example.com:5000/team/broken:1.0  ends in analysis_failed
 */
export function demoScenario() {
  const debianTag = 'docker.io/library/debian:9';
  const debianDigest = `sha256:${sha256Hex(debianTag)}`;
  const debianVulns = [DEBIAN9.apt, DEBIAN9.gnutlsLow, DEBIAN9.tar, DEBIAN9.gnutlsMedium];
  const nginxVulns = [
    { ...DEBIAN9.apt, inherited_from_base: true },
    { ...DEBIAN9.gnutlsMedium, inherited_from_base: true },
    { ...DEBIAN9.login, inherited_from_base: true },
    { ...DEBIAN9.udevMedium, inherited_from_base: false },
    { ...DEBIAN9.wget, inherited_from_base: false },
  ];
  return makeScenario({
    images: {
      [debianTag]: {
        digest: debianDigest,
        analysisMs: 1000,
        outcome: 'analyzed',
        metadata: { arch: 'amd64', distro: 'debian', distro_version: '9', image_size: 105627648, layer_count: 1 },
        vulnerabilities: debianVulns,
        // The Medium gnutls match is allowlisted, so the policy decision is GO.
        findings: vulnFindings(debianVulns).map((f) => ({
          ...f,
          allowlisted: true,
          allowlist_match: { id: DEFAULT_WHITELIST_ID, name: DEFAULT_WHITELIST_NAME, matched_rule_id: 'rule_gnutls_beast' },
        })),
      },
      'docker.io/library/nginx:1.15': {
        analysisMs: 2000,
        outcome: 'analyzed',
        baseDigest: debianDigest,
        metadata: { arch: 'amd64', distro: 'debian', distro_version: '9', image_size: 113043456, layer_count: 3 },
        vulnerabilities: nginxVulns,
        findings: [healthcheckFinding({ inherited_from_base: false }), ...vulnFindings(nginxVulns)],
      },
      'docker.io/alpine:3.9': {
        // digest and metadata of the recorded alpine:3.9 image (v1-check-pass.json,
        // v1-image-get-detail-false-analyzed.json)
        digest: 'sha256:d05ecd4520cab5d9e5d877595fb0532aadcd6c90f4bbc837bc11679f704c4c82',
        parentDigest: 'sha256:644fcb1a676b5165371437feaa922943aaf7afcfa8bfee4472f6860aad1ef2a0',
        analysisMs: 1500,
        outcome: 'analyzed',
        metadata: { arch: 'amd64', distro: 'alpine', distro_version: '3.9.2', image_size: 2754729, layer_count: 1 },
        vulnerabilities: ALPINE39,
        findings: vulnFindings(ALPINE39),
      },
      'gcr.io/jenkinsxio/builder-maven:latest': {
        // digest and image id of the recorded evaluation (v1-check-fail-detail.json)
        digest: 'sha256:8fdd536f0caa79bb924b9c1b9451b49957322d1b07ab23def8c9a49448e5d462',
        imageId: 'c1d974aa689be7e7bd02120230be10de2ea3f3beb85b1c4975cfb218b8468ef0',
        analysisMs: 4000,
        outcome: 'analyzed',
        metadata: { arch: 'amd64', distro: 'centos', distro_version: '7', image_size: 1465851392, layer_count: 14 },
        vulnerabilities: BUILDER_MAVEN,
        findings: [healthcheckFinding(), ...vulnFindings(BUILDER_MAVEN)],
      },
      'registry.example.com:5000/team/broken:1.0': {
        analysisMs: 1200,
        outcome: 'analysis_failed',
        metadata: { arch: 'amd64', distro: 'debian', distro_version: '10', image_size: 52428800, layer_count: 4 },
      },
    },
  });
}
