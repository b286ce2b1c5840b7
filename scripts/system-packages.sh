#!/usr/bin/env bash
# Install the Debian packages the test suite uses, when we can (root + apt-get). Idempotent.
# postgresql: the tests start a throw-away server of it (tests/postgres.py) for the PostgreSQL backend.
set -euo pipefail
# LibreOffice converts .doc/.wps/.rtf/.odt (and renders the Word export in tests, read back with poppler);
# Tesseract with its Simplified Chinese model reads scans and images; CJK fonts draw the test pages (the
# arphic and Noto fonts stand in for 仿宋/楷体/小标宋/黑体); Chromium runs the browser tests; gettext checks
# the CLI's message catalogue.
packages=(libreoffice-writer-nogui tesseract-ocr tesseract-ocr-chi-sim poppler-utils fonts-noto-cjk fonts-wqy-microhei
          fonts-arphic-uming fonts-arphic-ukai chromium gettext postgresql)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "note: not installing ${missing[*]} (needs root and apt-get); the tests that need them will skip" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
