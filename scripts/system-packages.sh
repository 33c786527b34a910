#!/usr/bin/env bash
# The Debian packages hdsready needs besides Python: one list, used by .ci/run and `make test`.
#
#   scripts/system-packages.sh          install what is missing (as root, or with sudo that
#                                       needs no password); otherwise print the one command to
#                                       run and exit 1
#   scripts/system-packages.sh --check  say what is missing, exit 1 if anything is
#   scripts/system-packages.sh --list   print the package list
set -euo pipefail

# package, then how to tell it is there: cmd:<command>, lib:<shared library>, file:<path>
PACKAGES=(
  "chromium            cmd:chromium"                 # browser tests (Playwright)
  "poppler-utils       cmd:pdftotext"                # dossier tests read the PDFs' text
  "gettext             cmd:msgfmt"                   # compilemessages
  "docker-compose      cmd:docker-compose"           # `make checks` validates the compose file
  "nodejs              cmd:node"                     # the OpenID provider of the SSO tests
  "npm                 cmd:npm"                      # installs it (tests/oidc/provider)
  "libmagic1           lib:libmagic.so.1"            # upload type sniffing (python-magic)
  "libpango-1.0-0      lib:libpango-1.0.so.0"        # WeasyPrint
  "libpangoft2-1.0-0   lib:libpangoft2-1.0.so.0"     # WeasyPrint
  "libharfbuzz-subset0 lib:libharfbuzz-subset.so.0"  # WeasyPrint font subsetting
  "fonts-dejavu-core   file:/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"  # PDF fonts
)

package_of() { echo "${1%% *}"; }
probe_of() { local rest="${1#* }"; echo "${rest// /}"; }

# ldconfig lives in sbin, which a normal user's PATH often lacks.
libraries() { PATH="$PATH:/usr/sbin:/sbin" ldconfig -p 2>/dev/null || true; }

present() {
  local probe="$1"
  case "$probe" in
    cmd:*) command -v "${probe#cmd:}" >/dev/null 2>&1 ;;
    lib:*) grep -qF "${probe#lib:} (" <<<"$LIBRARIES" ;;
    file:*) [ -e "${probe#file:}" ] ;;
    *) echo "unknown probe: $probe" >&2; return 2 ;;
  esac
}

missing_packages() {
  LIBRARIES="$(libraries)"
  local entry
  for entry in "${PACKAGES[@]}"; do
    present "$(probe_of "$entry")" || package_of "$entry"
  done
}

mode="${1:-install}"
case "$mode" in
  --list)
    for entry in "${PACKAGES[@]}"; do package_of "$entry"; done
    exit 0 ;;
  --check|install) ;;
  *) echo "usage: $0 [--check|--list]" >&2; exit 2 ;;
esac

mapfile -t missing < <(missing_packages)
if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi
command_line="apt-get install -y --no-install-recommends ${missing[*]}"
echo "Missing system packages: ${missing[*]}" >&2
if [ "$mode" = --check ]; then
  exit 1
fi

if [ "$(id -u)" = 0 ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo=(sudo)
else
  echo "Install them first (needs root), then run the command again:" >&2
  echo "  sudo apt-get update && sudo $command_line" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "Installed: ${missing[*]}" >&2
