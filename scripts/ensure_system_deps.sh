#!/usr/bin/env bash
# Install the Debian packages the test suite and the portal need, only when they are missing.
#
#   chromium        browser journeys (tests/e2e) drive /usr/bin/chromium through Playwright
#   fonts-noto-cjk  so Chinese text renders as glyphs, not boxes, in screenshots
#   fonts-liberation  Latin fonts with the usual metrics (Arial, Times), for stable screenshots
#   gettext         msgfmt, for `manage.py compilemessages`
#   nodejs, npm     only if npm is absent: installs axe-core from package-lock.json
#
# A warm machine pays one dpkg-query per package. `apt-get update` runs once, and only when
# something is to be installed. Uses sudo only when not root.
set -euo pipefail

packages=(chromium fonts-noto-cjk fonts-liberation gettext)
command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)

installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"
}

missing=()
for pkg in "${packages[@]}"; do
    installed "$pkg" || missing+=("$pkg")
done

if [ ${#missing[@]} -eq 0 ]; then
    echo "system packages present: ${packages[*]}"
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "ensure_system_deps: missing ${missing[*]} and this is not a Debian system (no apt-get)." >&2
    echo "Install them with your package manager; browser tests fail without chromium." >&2
    exit 1
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
    if ! command -v sudo >/dev/null 2>&1; then
        echo "ensure_system_deps: missing ${missing[*]}; run as root or install sudo." >&2
        exit 1
    fi
    sudo=(sudo)
fi

echo "installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
