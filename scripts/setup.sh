#!/usr/bin/env bash
# Everything `make run` and `make test` need before they start, each step skipped when already
# done, so a warm machine pays about a second:
#
#   1. .venv with Python 3.11 (created when missing)
#   2. Python dependencies from pyproject.toml (base + extras dev, embedded); re-installed only
#      when pyproject.toml changed (hash in .venv/.portal-requirements.sha256)
#   3. Debian packages chromium, fonts-noto-cjk, fonts-liberation, gettext (scripts/ensure_system_deps.sh)
#   4. axe-core into node_modules/ with `npm ci`, only when package-lock.json changed
#   5. var/ folders, then compiled translations (locale/**/*.po -> .mo)
#
# Environment: PYTHON (interpreter used to create .venv; default python3.11),
# PORTAL_SKIP_SYSTEM_DEPS=1 (do not check Debian packages, e.g. on a non-Debian laptop).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
VENV="$ROOT/.venv"
PY="$VENV/bin/python"

now() { date +%s.%N; }
step_start=0
step() { step_start=$(now); printf '==> %s\n' "$1"; }
done_step() { awk -v a="$step_start" -v b="$(now)" 'BEGIN { printf "    done in %.1fs\n", b - a }'; }

sha() { sha256sum "$@" | sha256sum | cut -d' ' -f1; }

# 1. virtualenv --------------------------------------------------------------------------
step "Python virtualenv (.venv)"
if [ ! -x "$PY" ] || ! "$PY" -c 'import sys; assert sys.version_info[:2] == (3, 11)' 2>/dev/null; then
    python="${PYTHON:-python3.11}"
    if ! command -v "$python" >/dev/null 2>&1; then
        if command -v python3 >/dev/null 2>&1 && python3 -c 'import sys; assert sys.version_info[:2] == (3, 11)' 2>/dev/null; then
            python=python3
        else
            echo "Python 3.11 is needed: install python3.11 or set PYTHON=/path/to/python3.11" >&2
            exit 1
        fi
    fi
    rm -rf "$VENV"
    "$python" -m venv "$VENV"
    echo "    created .venv with $("$PY" --version)"
else
    echo "    present: $("$PY" --version)"
fi
done_step

# 2. Python dependencies -------------------------------------------------------------------
step "Python dependencies (pyproject.toml: base + dev + embedded)"
stamp="$VENV/.portal-requirements.sha256"
want="$(sha pyproject.toml scripts/requirements.py)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    echo "    up to date"
else
    reqs="$(mktemp)"
    log="$(mktemp)"
    trap 'rm -f "$reqs" "$log"' EXIT
    "$PY" scripts/requirements.py dev embedded >"$reqs"
    if ! "$PY" -m pip install --disable-pip-version-check -r "$reqs" >"$log" 2>&1; then
        # This machine's pip config names local wheel folders that may be absent; skip that noise.
        grep -v "^WARNING: Location 'file://" "$log" >&2
        echo "pip install failed (above)" >&2
        exit 1
    fi
    grep -E "^Successfully installed" "$log" | fold -s -w 96 | sed 's/^/    /' || true
    echo "$want" >"$stamp"
    echo "    installed"
fi
done_step

# 3. Debian packages -----------------------------------------------------------------------
step "System packages (chromium, fonts-noto-cjk, gettext)"
if [ "${PORTAL_SKIP_SYSTEM_DEPS:-}" = "1" ]; then
    echo "    skipped (PORTAL_SKIP_SYSTEM_DEPS=1)"
else
    bash scripts/ensure_system_deps.sh | sed 's/^/    /'
fi
done_step

# 4. axe-core ------------------------------------------------------------------------------
step "npm packages (axe-core, from package-lock.json)"
stamp="node_modules/.portal-lock.sha256"
want="$(sha package.json package-lock.json)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -f node_modules/axe-core/axe.min.js ]; then
    echo "    up to date"
else
    npm ci --no-audit --no-fund --loglevel=error 2>&1 | sed 's/^/    /'
    [ -f node_modules/axe-core/axe.min.js ] || { echo "npm ci did not install axe-core" >&2; exit 1; }
    echo "$want" >"$stamp"
fi
done_step

# 5. folders and translations -----------------------------------------------------------------
step "Folders and translations"
mkdir -p var/static var/run var/media test-artifacts
if [ -n "$(find locale -name '*.po' -print -quit 2>/dev/null)" ]; then
    # Only the project's own catalogues: installed packages ship their own compiled ones.
    if ! out="$(DJANGO_SETTINGS_MODULE=portal.settings.test "$PY" manage.py compilemessages \
            --ignore=.venv --ignore=node_modules --ignore=var --ignore=test-artifacts 2>&1)"; then
        echo "$out" >&2
        echo "compilemessages failed (above)" >&2
        exit 1
    fi
    echo "$out" | grep -v "already compiled and up to date" | sed 's/^/    /' || true
    echo "    compiled $(find locale -name '*.mo' | wc -l) catalogue(s)"
else
    echo "    no translations in locale/ yet: nothing to compile"
fi
done_step
