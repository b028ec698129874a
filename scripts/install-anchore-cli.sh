#!/usr/bin/env bash
# Install the REAL anchore-cli 0.9.3 (PyPI "anchorecli") into <repo>/.venv/anchore-cli.
# tests/anchore-cli.test.js runs it against the engine double.
#
# Recipe from shared/docs/engine-api.md section 3: `pip install anchorecli==0.9.3`
# fails on Python 3.11 because the package pins PyYAML==5.4.1, whose sdist does not
# build with Cython 3. So we install it without dependencies and add its
# dependencies at the versions it was released with, plus any PyYAML >= 6.
#
# Idempotent: if the venv already reports anchore-cli 0.9.3, this exits at once.
# Only PyPI is needed.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${ANCHORE_CLI_VENV:-$repo_root/.venv/anchore-cli}"
want="0.9.3"

# Sets $got to the venv's anchore-cli version, empty when there is none. Called as a statement,
# never in a condition, so that set -e stays in force inside it.
installed_version() {
  got=""
  [ -x "$venv/bin/anchore-cli" ] || return 0
  got="$("$venv/bin/anchore-cli" --version 2>/dev/null | awk '{print $NF}' || true)"
}

installed_version
if [ "$got" = "$want" ]; then
  echo "anchore-cli $want already installed in $venv"
  exit 0
fi

echo "installing anchore-cli $want into $venv"
python3 -m venv "$venv"
pip=("$venv/bin/python" -m pip --disable-pip-version-check --no-input --quiet)
"${pip[@]}" install --no-deps "anchorecli==$want"
# pip then warns "anchorecli 0.9.3 requires PyYAML==5.4.1, but you have pyyaml 6.x":
# expected, that pin is exactly what this recipe works around.
"${pip[@]}" install \
  "Click==8.0.1" "prettytable==2.2.0" "python-dateutil==2.8.2" \
  "requests==2.26.0" "six==1.16.0" "urllib3==1.26.6" "PyYAML>=6"

installed_version
if [ "$got" != "$want" ]; then
  echo "error: anchore-cli --version reports '$got', expected $want" >&2
  exit 1
fi
echo "anchore-cli $got installed: $venv/bin/anchore-cli"
