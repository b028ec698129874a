#!/usr/bin/env bash
# npm run test:fresh — the README's two set-up commands, exactly as the README writes them, in a
# clean clone of the committed HEAD, as on a machine that has none of what scripts/setup.sh
# installs into user space: cargo installs into an empty CARGO_INSTALL_ROOT (and CARGO_HOME, so the
# crates are downloaded again), PATH has no wasm-pack or wasm-bindgen, the npm and pip caches are
# empty. Debian packages (Chromium, ShellCheck, …) and the rustup toolchain are the machine's and
# stay as they are. Takes minutes (wasm-pack and wasm-bindgen-cli are compiled); not in npm test.
#
#   npm run test:fresh            (KEEP=1 keeps the temporary folder)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

work=$(mktemp -d "${TMPDIR:-/tmp}/anchore-gate-fresh.XXXXXX")
cleanup() { if [ "${KEEP:-}" = 1 ]; then echo "test:fresh: kept $work"; else rm -rf "$work"; fi; }
trap cleanup EXIT

# The two commands, taken from the README so that what is tested is what it says.
mapfile -t commands < <(grep -E '^bash scripts/setup\.sh && npm (run demo|test)$' README.md)
[ "${#commands[@]}" -eq 2 ] || { echo "test:fresh: expected the README's two set-up commands, found ${#commands[@]}" >&2; exit 1; }

git clone --quiet "$root" "$work/repo"
# shared/ (the recorded engine answers the tests read) lies beside the clone, as in CI.
[ -d "$root/../shared" ] && ln -s "$(cd "$root/../shared" && pwd)" "$work/shared"
mkdir -p "$work/bin" "$work/cargo-home" "$work/cargo-root" "$work/npm-cache" "$work/pip-cache"
# Only rustup's proxies from ~/.cargo/bin: cargo, rustc, rustup and friends, not what cargo installed.
for tool in cargo rustc rustup rustdoc rust-lld; do
  found=$(PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH" command -v "$tool" || true)
  [ -n "$found" ] && ln -s "$found" "$work/bin/$tool"
done
clean_path="$work/bin"
IFS=: read -r -a parts <<< "$PATH"
for dir in "${parts[@]}"; do
  case "$dir" in
    */.cargo/bin|"$work/bin") ;;
    *) [ -x "$dir/wasm-pack" ] || [ -x "$dir/wasm-bindgen" ] || clean_path="$clean_path:$dir" ;;
  esac
done

export PATH="$clean_path"
export RUSTUP_HOME="${RUSTUP_HOME:-$HOME/.rustup}"
export CARGO_HOME="$work/cargo-home" CARGO_INSTALL_ROOT="$work/cargo-root"
export npm_config_cache="$work/npm-cache" PIP_CACHE_DIR="$work/pip-cache"
unset CI
if command -v wasm-pack >/dev/null || command -v wasm-bindgen >/dev/null; then
  echo "test:fresh: wasm-pack or wasm-bindgen is still on PATH: $(command -v wasm-pack wasm-bindgen)" >&2
  exit 1
fi

cd "$work/repo"
for command in "${commands[@]}"; do
  echo "test:fresh: \$ $command"
  start=$SECONDS
  bash -c "$command" > "$work/log.txt" 2>&1 || { tail -n 60 "$work/log.txt"; echo "test:fresh: FAILED after $(( SECONDS - start )) s: $command" >&2; exit 1; }
  grep -E '^setup: ' "$work/log.txt" || true
  tail -n 3 "$work/log.txt"
  echo "test:fresh: $(( SECONDS - start )) s: $command"
done
echo "test:fresh: both README commands passed in a fresh clone"
