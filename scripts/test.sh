#!/usr/bin/env bash
# Every test: the core natively, the same core tests as WASM in Node and in headless Chromium,
# then the JS suites (WASM boundary in Node, engine double, real anchore-cli against the
# double, the CLI end to end, the npm tarball). Run scripts/setup.sh first on a fresh machine.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:${CARGO_INSTALL_ROOT:+$CARGO_INSTALL_ROOT/bin:}${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
step() { local t0=$SECONDS; echo "::: $*"; "$@"; echo "::: $(( SECONDS - t0 )) s: $*"; }

step bash scripts/build.sh
# The property tests (src/proptests.rs, native only) run ANCHORE_GATE_FUZZ_CASES cases per
# property and print the counts; longer on demand:
#   ANCHORE_GATE_FUZZ_CASES=50000 cargo test --release --lib proptests
export ANCHORE_GATE_FUZZ_CASES="${ANCHORE_GATE_FUZZ_CASES:-256}"
step cargo test --lib --quiet
step cargo test --lib --target wasm32-unknown-unknown
WASM_BINDGEN_USE_BROWSER=1 step cargo test --lib --target wasm32-unknown-unknown
step node --test --test-concurrency=2 tests/
# The benchmarks in their short mode (seconds), so they cannot rot: they must run and produce
# numbers; no figure is compared with a target here (BENCHMARKS.md holds the full run).
step node bench/run.js --short

# The action runs the committed dist/ (the runner does no npm install): it must be exactly what
# scripts/bundle.sh builds from this tree.
check_dist() {
  local fresh
  fresh=$(mktemp -d)
  bash scripts/bundle.sh "$fresh" >/dev/null
  if ! diff -r "$fresh" dist >/dev/null 2>&1; then
    diff -rq "$fresh" dist || true
    rm -rf "$fresh"
    echo "dist/ is stale: the committed action bundle is not what scripts/bundle.sh builds from this tree." >&2
    echo "Run: npm run bundle (= bash scripts/build.sh && bash scripts/bundle.sh), then commit dist/" >&2
    return 1
  fi
  rm -rf "$fresh"
}
step check_dist
