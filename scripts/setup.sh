#!/usr/bin/env bash
# Installs what a fresh machine of this kind lacks to build and test anchore-gate, and is fast
# (seconds) when everything is already there: the wasm32 target, wasm-pack, wasm-bindgen-cli at
# the exact version Cargo.lock pins, Debian's Chromium and ChromeDriver (browser tests), the npm
# packages, and the real anchore-cli (to check the engine double). Only package registries are
# used: no GitHub downloads (toolchain.md).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
step() { local t0=$SECONDS; echo "setup: $*"; "$@"; echo "setup: $(( SECONDS - t0 )) s for $1"; }

rustup target list --installed | grep -qx wasm32-unknown-unknown || step rustup target add wasm32-unknown-unknown

command -v wasm-pack >/dev/null || step cargo install wasm-pack --locked

wbg=$(sed -n '/^name = "wasm-bindgen"$/{n;s/^version = "\(.*\)"$/\1/p}' Cargo.lock)
if [ "$(wasm-bindgen --version 2>/dev/null || true)" != "wasm-bindgen $wbg" ]; then
  # --locked fails on this registry for 0.2.130 (a pinned webpki-roots is missing): fall back.
  step cargo install wasm-bindgen-cli --version "$wbg" --locked || step cargo install wasm-bindgen-cli --version "$wbg"
fi

if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  step apt-get update -qq
  step apt-get install -y -qq chromium chromium-driver
fi

# The TLS and proxy tests make their certificates with openssl at test time.
if ! command -v openssl >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  step apt-get update -qq
  step apt-get install -y -qq openssl
fi

lock_sum=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ "$(cat node_modules/.installed-lock 2>/dev/null || true)" != "$lock_sum" ]; then
  step npm ci --no-audit --no-fund
  echo "$lock_sum" > node_modules/.installed-lock
fi

step bash scripts/install-anchore-cli.sh
