#!/usr/bin/env bash
# Builds the WASM core into pkg/nodejs (CommonJS, for the CLI and the action) and pkg/web (ES
# module with init(), for the browser viewer). Needs what scripts/setup.sh installs.
set -euo pipefail
cd "$(dirname "$0")/.."
# wasm-pack takes the first wasm-opt on PATH: npm's binaryen 132, never Debian's broken 108.
export PATH="$PWD/node_modules/.bin:${CARGO_INSTALL_ROOT:+$CARGO_INSTALL_ROOT/bin:}${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
for target in nodejs web; do
  # Build beside pkg/ and swap it in at the end, so pkg/ is never half-written while
  # something (a test run, another build) uses it.
  out="pkg/.build-$target"
  rm -rf "$out"
  wasm-pack --quiet build --mode no-install --release --no-pack --target "$target" --out-dir "$out" >/dev/null
  # wasm-pack leaves a .gitignore of "*", which would also keep the files out of the npm tarball.
  rm -f "$out/.gitignore"
  # The nodejs build is CommonJS in .js files inside an ESM package.
  [ "$target" = nodejs ] && echo '{"type":"commonjs"}' > "$out/package.json"
  rm -rf "pkg/.old-$target"
  [ -d "pkg/$target" ] && mv "pkg/$target" "pkg/.old-$target"
  mv "$out" "pkg/$target"
  rm -rf "pkg/.old-$target"
done
wasm=pkg/nodejs/anchore_gate_bg.wasm
echo "built pkg/nodejs and pkg/web: $(wc -c < "$wasm") bytes of wasm, $(gzip -9c "$wasm" | wc -c) gzipped"
