#!/usr/bin/env bash
# Installs everything Ostal needs on Debian/Ubuntu (as root): the system packages of the test and demo servers,
# Debian's Chromium for the end-to-end tests, then the npm dependencies (without the Electron binary, which cannot
# be downloaded here). Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  chromium
  dovecot-imapd dovecot-lmtpd postfix
  radicale python3-bcrypt
  apache2 apache2-utils
  openssl ca-certificates
  isync notmuch rclone
  vdirsyncer
  prosody lua-unbound
  dovecot-sieve dovecot-managesieved
  pst-utils libemail-outlook-message-perl libemail-address-perl
  poppler-utils libxml2-utils
  python3 make g++
)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "Paquets manquants : ${missing[*]}. Relancez ce script en tant que root (ou avec sudo)." >&2
    exit 1
  fi
  echo "Installation des paquets Debian : ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Native modules (better-sqlite3) build against the Node headers shipped by Debian's nodejs when present.
if [ -d /usr/include/node ] && [ -z "${npm_config_nodedir:-}" ]; then export npm_config_nodedir=/usr; fi
export ELECTRON_SKIP_BINARY_DOWNLOAD=1
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "Installation des dépendances npm…"
  npm ci --no-audit --no-fund
fi

# Meeting server (server/): the mediasoup worker is built once from Debian's libraries (cached in
# .cache/mediasoup-worker/), then server/ dependencies are installed with MEDIASOUP_WORKER_BIN set, so that
# mediasoup's postinstall downloads nothing.
MEDIASOUP_WORKER_BIN="$(scripts/build-mediasoup-worker.sh | tail -n 1)"
export MEDIASOUP_WORKER_BIN
if [ ! -d server/node_modules ] || [ server/package-lock.json -nt server/node_modules/.package-lock.json ]; then
  echo "Installation des dépendances du serveur de visio…"
  npm ci --prefix server --no-audit --no-fund
fi
