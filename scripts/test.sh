#!/usr/bin/env bash
# Every test: the core natively, the same core tests as WASM in Node and in headless Chromium,
# then the JS suites (WASM boundary in Node, engine double, real anchore-cli against the
# double, the CLI end to end, the npm tarball). Run scripts/setup.sh first on a fresh machine.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
step() { local t0=$SECONDS; echo "::: $*"; "$@"; echo "::: $(( SECONDS - t0 )) s: $*"; }

step bash scripts/build.sh
step cargo test --lib --quiet
step cargo test --lib --target wasm32-unknown-unknown
WASM_BINDGEN_USE_BROWSER=1 step cargo test --lib --target wasm32-unknown-unknown
step node --test --test-concurrency=2 tests/
