#!/usr/bin/env bash
# Builds the WASM core into pkg/nodejs (CommonJS, for the CLI and the action) and pkg/web (ES
# module with init(), for the browser viewer). Needs what scripts/setup.sh installs.
set -euo pipefail
cd "$(dirname "$0")/.."
# wasm-pack takes the first wasm-opt on PATH: npm's binaryen 132, never Debian's broken 108.
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
for target in nodejs web; do
  wasm-pack --quiet build --mode no-install --release --no-pack --target "$target" --out-dir "pkg/$target" >/dev/null
  # wasm-pack leaves a .gitignore of "*", which would also keep the files out of the npm tarball.
  rm -f "pkg/$target/.gitignore"
done
# The nodejs build is CommonJS in .js files inside an ESM package.
echo '{"type":"commonjs"}' > pkg/nodejs/package.json
wasm=pkg/nodejs/anchore_gate_bg.wasm
echo "built pkg/nodejs and pkg/web: $(wc -c < "$wasm") bytes of wasm, $(gzip -9c "$wasm" | wc -c) gzipped"
