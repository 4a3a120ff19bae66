#!/usr/bin/env bash
# Rebuilds build/dictionaries/fr-FR-3-0.bdic, the French spell-checking dictionary shipped with Ostal (issue 18):
# Chromium's binary format (.bdic), made from Debian's hunspell-fr-classical (Dicollecte, MPL-2.0) by Chromium's own
# converter as Debian ships it with Qt WebEngine (qt6-webengine-dev-tools: qwebengine_convert_dict). Run as root on
# Debian 12; the result is committed, so neither the build nor Ostal ever downloads a dictionary.
set -euo pipefail
cd "$(dirname "$0")/.."
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends hunspell-fr-classical qt6-webengine-dev-tools >/dev/null
/usr/lib/qt6/libexec/qwebengine_convert_dict /usr/share/hunspell/fr_FR.dic build/dictionaries/fr-FR-3-0.bdic
sha256sum build/dictionaries/fr-FR-3-0.bdic
