#!/usr/bin/env bash
# Install everything the system and its tests need, on a fresh Debian machine with Python ≥ 3.11.
# Safe to re-run: each step is skipped when already done.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
have() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "ok installed"; }

if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
  # PostgreSQL: whatever major version the machine has (install Debian's default if none).
  major=$(ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -1 || true)
  [ -z "$major" ] && need_apt+=(postgresql)
  if [ -n "$major" ]; then
    for p in "postgresql-$major-postgis-3" "postgresql-$major-pgrouting"; do have "$p" || need_apt+=("$p"); done
  fi
  # nginx-light and openssl: tests/test_deploy.py runs docs/deploy.md's nginx configuration.
  for p in chromium fonts-noto-cjk nodejs npm nginx-light openssl; do
    case $p in
      nodejs|npm) command -v "$p" >/dev/null || need_apt+=("$p") ;;
      *) have "$p" || need_apt+=("$p") ;;
    esac
  done
  if [ ${#need_apt[@]} -gt 0 ]; then
    echo "setup: apt-get install ${need_apt[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
    if [ -z "$major" ]; then
      major=$(ls /usr/lib/postgresql | sort -n | tail -1)
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
        "postgresql-$major-postgis-3" "postgresql-$major-pgrouting" >/dev/null
    fi
  fi
else
  echo "setup: not root on Debian; make sure PostgreSQL with PostGIS 3 and pgRouting," \
       "Chromium, Node.js/npm and nginx are installed (e.g. postgresql-NN-postgis-3 postgresql-NN-pgrouting)."
fi

# Python environment: the project and its development tools.
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
stamp=.venv/.installed-$(sha1sum pyproject.toml | cut -c1-12)
if [ ! -f "$stamp" ]; then
  echo "setup: pip install -e .[dev]"
  .venv/bin/pip install -q --upgrade pip
  .venv/bin/pip install -q -e ".[dev]"
  rm -f .venv/.installed-* && touch "$stamp"
fi

# Front-end assets served by the app itself (no CDN on an intranet): the pinned npm packages of
# web_map/vendor/assets.toml, checked and copied with their licences into web_map/static/vendor.
if ! python3 build_support/vendor_assets.py --check >/dev/null; then
  echo "setup: map and API-docs assets (npm pack)"
  python3 build_support/vendor_assets.py >/dev/null
fi
