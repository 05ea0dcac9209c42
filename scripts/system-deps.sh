#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages Toji needs, when run as root; otherwise names them.
#   fonts-arphic-ukai, fonts-unfonts-core: brush and serif fonts the sample pages are drawn in
#   fonts-nanum: hangul and hanja for the GUI and certificates
#   poppler-utils: pdftoppm, used by the tests to render PDFs
#   libhangul-data: libhangul's hanja word list (~300,000 words), for reading hanja as Korean
#   libegl1 libgl1 libxkbcommon0 libfontconfig1 libdbus-1-3: Qt's runtime libraries
set -euo pipefail
packages=(fonts-arphic-ukai fonts-unfonts-core fonts-nanum poppler-utils libhangul-data
          libegl1 libgl1 libxkbcommon0 libfontconfig1 libdbus-1-3)
python=${PYTHON:-python3}

if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "toji setup: Python 3.11 or newer is needed as '$python' (found: $("$python" --version 2>&1 || echo none))." >&2
  echo "            Install it (apt-get install python3) or run: make PYTHON=/path/to/python3.11 ..." >&2
  exit 1
fi
if ! "$python" -c 'import ensurepip, venv' 2>/dev/null; then
  packages+=(python3-venv)
fi

if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "toji setup: not a Debian-like system; make sure a CJK brush font (AR PL UKai)," >&2
  echo "            UnBatang, NanumGothic and poppler's pdftoppm are installed (see README)." >&2
  exit 0
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "toji setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "toji setup: these system packages are missing: ${missing[*]}" >&2
  echo "            install them with: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
