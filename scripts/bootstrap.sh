#!/usr/bin/env bash
# Make the project runnable on a fresh Debian/Ubuntu machine: the Debian packages it needs (only
# those missing), then a Python 3.10 virtual environment in .venv from the pinned requirements.lock.
# Called by make only when one of its inputs changed, so a second run costs nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=.venv
UV_VERSION=0.13.9

apt_install() {
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "$@"
}

missing=()
while read -r pkg; do
  [[ -z $pkg || $pkg == \#* ]] && continue
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done < scripts/system-packages.txt
if ((${#missing[@]})); then
  echo "bootstrap: installing Debian packages: ${missing[*]}"
  apt_install "${missing[@]}"
fi

# The web widget is built with npm (widget/); Node.js may come from Debian or from elsewhere.
if ! command -v npm >/dev/null 2>&1; then
  echo "bootstrap: installing Node.js and npm from Debian"
  apt_install nodejs npm
fi

find_python() {
  for candidate in "${PYTHON:-}" python3.10 "$(pyenv root 2>/dev/null)/versions/3.10"*/bin/python3.10; do
    [[ -n $candidate ]] && command -v "$candidate" >/dev/null 2>&1 || continue
    "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' 2>/dev/null && { command -v "$candidate"; return; }
  done
  echo "bootstrap: Python 3.10 not found. Install it (pyenv install 3.10, apt install python3.10, or uv python install 3.10) or set PYTHON=/path/to/python3.10." >&2
  exit 1
}

if [[ ! -x $VENV/bin/python ]] || ! $VENV/bin/python -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' 2>/dev/null; then
  rm -rf "$VENV"
  echo "bootstrap: creating $VENV"
  "$(find_python)" -m venv "$VENV"
fi
[[ -x $VENV/bin/uv ]] || $VENV/bin/python -m pip install -q "uv==$UV_VERSION"
echo "bootstrap: installing pinned Python packages"
VIRTUAL_ENV=$PWD/$VENV $VENV/bin/uv pip sync -q requirements.lock
VIRTUAL_ENV=$PWD/$VENV $VENV/bin/uv pip install -q --no-deps -e .
touch "$VENV/.installed"
