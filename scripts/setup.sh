#!/usr/bin/env bash
# Installs what a fresh machine of this kind lacks to build and test anchore-gate, and is fast
# (seconds) when everything is already there: the wasm32 target, wasm-pack, wasm-bindgen-cli at
# the exact version Cargo.lock pins, Debian's Chromium, ChromeDriver and ShellCheck, the npm
# packages, and the real anchore-cli (to check the engine double). Only package registries are
# used: no GitHub downloads (toolchain.md).
#
# Every install runs at the top level of this script, never inside a function called from `if`,
# `||` or `&&` (bash switches `set -e` off in such a function, so a failure there would be
# ignored); ShellCheck's check-set-e-suppressed guards that in npm test.
set -euo pipefail
cd "$(dirname "$0")/.."
# `cargo install` puts its binaries in $CARGO_INSTALL_ROOT/bin when that is set.
export PATH="${CARGO_INSTALL_ROOT:+$CARGO_INSTALL_ROOT/bin:}${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
export DEBIAN_FRONTEND=noninteractive

t0=$SECONDS
took() { echo "setup: $(( SECONDS - t0 )) s for $1"; t0=$SECONDS; }
fail() { echo "setup: FAILED: $*" >&2; exit 1; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  echo "setup: rustup target add wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown || fail "rustup could not add the wasm32-unknown-unknown target"
  took "the wasm32 target"
fi

if ! command -v wasm-pack >/dev/null; then
  echo "setup: cargo install wasm-pack --locked"
  cargo install wasm-pack --locked || fail "could not install wasm-pack (cargo install wasm-pack --locked)"
  took wasm-pack
fi

wbg=$(sed -n '/^name = "wasm-bindgen"$/{n;s/^version = "\(.*\)"$/\1/p}' Cargo.lock)
[ -n "$wbg" ] || fail "Cargo.lock names no wasm-bindgen version"
if [ "$(wasm-bindgen --version 2>/dev/null || true)" != "wasm-bindgen $wbg" ]; then
  echo "setup: cargo install wasm-bindgen-cli --version $wbg --locked"
  if ! cargo install wasm-bindgen-cli --version "$wbg" --locked; then
    # --locked fails on this registry for 0.2.130 (its lock pins a webpki-roots the registry
    # lacks): the unlocked install resolves to versions the registry has.
    echo "setup: the locked install failed; cargo install wasm-bindgen-cli --version $wbg (unlocked)"
    cargo install wasm-bindgen-cli --version "$wbg" \
      || fail "could not install wasm-bindgen-cli $wbg, neither --locked nor unlocked"
  fi
  [ "$(wasm-bindgen --version 2>/dev/null || true)" = "wasm-bindgen $wbg" ] \
    || fail "wasm-bindgen-cli $wbg was installed but \`wasm-bindgen --version\` on PATH does not say $wbg"
  took wasm-bindgen-cli
fi

# Chromium and ChromeDriver (browser tests), ShellCheck (npm test lints the scripts), openssl
# (the TLS and proxy tests make their certificates at test time), xmllint (libxml2-utils: the
# JUnit file is validated against the xUnit plugin's XSD).
missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v chromedriver >/dev/null || missing+=(chromium-driver)
command -v shellcheck >/dev/null || missing+=(shellcheck)
command -v openssl >/dev/null || missing+=(openssl)
command -v xmllint >/dev/null || missing+=(libxml2-utils)
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: apt-get install ${missing[*]}"
  apt-get update -qq || fail "apt-get update failed"
  apt-get install -y -qq "${missing[@]}" || fail "apt-get could not install ${missing[*]}"
  took "${missing[*]}"
fi

lock_sum=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ "$(cat node_modules/.installed-lock 2>/dev/null || true)" != "$lock_sum" ]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund || fail "npm ci failed"
  echo "$lock_sum" > node_modules/.installed-lock
  took "npm ci"
fi

bash scripts/install-anchore-cli.sh || fail "could not install anchore-cli (scripts/install-anchore-cli.sh)"
took anchore-cli
