#!/usr/bin/env bash
# Installs everything pressout's tests need on a fresh Debian machine: the package with its
# test extras (pip), the validators and browsers (Debian: jing, chromium, CJK fonts,
# newsboat, pandoc, calibre; npm: Ace by DAISY), each skipped when already present.
# Tools that are not Python packages go to $PRESSOUT_TOOLS (default ~/.cache/pressout-tools).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
tools="${PRESSOUT_TOOLS:-$HOME/.cache/pressout-tools}"

python3 -m pip install --quiet --disable-pip-version-check -e "$here[test]"

need_apt=()
command -v jing >/dev/null || need_apt+=(jing)
command -v chromium >/dev/null || need_apt+=(chromium)
command -v newsboat >/dev/null || need_apt+=(newsboat)
command -v pandoc >/dev/null || need_apt+=(pandoc)
command -v ebook-meta >/dev/null || need_apt+=(calibre)  # what calibre's library reads of an EPUB
command -v java >/dev/null || need_apt+=(default-jre-headless)
command -v npm >/dev/null || need_apt+=(nodejs npm)
[ -e /usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc ] || need_apt+=(fonts-noto-cjk)
if [ ${#need_apt[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

if [ ! -x "$tools/ace/node_modules/.bin/ace-cli" ]; then
  mkdir -p "$tools/ace"
  # ace-cli alone: the @daisy/ace meta-package pulls Electron, whose install downloads a binary.
  (cd "$tools/ace" && PUPPETEER_SKIP_DOWNLOAD=1 npm install --silent --no-audit --no-fund @daisy/ace-cli@1.4.6 >/dev/null)
fi
echo "test tools ready (Ace in $tools/ace)"
