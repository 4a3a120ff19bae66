#!/usr/bin/env bash
# Builds the mediasoup 3.12.16 worker (the C++ SFU process) from the npm tarball against Debian's own libraries,
# without any download from GitHub (upstream fetches its meson subprojects there). Recipe verified on Debian 12,
# see README.md « Serveur de visio ». The result is cached: when the binary already exists, nothing is done.
#
# Usage: scripts/build-mediasoup-worker.sh            → builds (if needed) and prints the binary path on the last line
#        OSTAL_MEDIASOUP_CACHE=<dir> to change the cache folder (default: .cache/mediasoup-worker/<version>)
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION=3.12.16
CACHE="${OSTAL_MEDIASOUP_CACHE:-$PWD/.cache/mediasoup-worker/$VERSION}"
BIN="$CACHE/package/worker/out/Release/build/mediasoup-worker"

if [ -x "$BIN" ]; then
  echo "$BIN"
  exit 0
fi

APT_PACKAGES=(meson ninja-build pkg-config nlohmann-json3-dev libsrtp2-dev libusrsctp-dev libuv1-dev libabsl-dev libssl-dev g++)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "Paquets manquants pour le serveur de visio : ${missing[*]}. Relancez ce script en tant que root (ou avec sudo)." >&2
    exit 1
  fi
  echo "Installation des paquets Debian du worker mediasoup : ${missing[*]}" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Fresh extraction of the npm tarball (a half-finished previous build is thrown away).
rm -rf "$CACHE"
mkdir -p "$CACHE"
echo "Téléchargement de mediasoup@$VERSION (registre npm)…" >&2
(cd "$CACHE" && npm pack --silent "mediasoup@$VERSION" >/dev/null && tar xzf "mediasoup-$VERSION.tgz")
W="$CACHE/package/worker"

# Every worker/meson.build reads variables from subproject('<name>'), so --wrap-mode=nofallback cannot switch to
# system libraries. Move the .wrap files aside and put stub projects exposing the same variables from the system
# dependency() calls; meson uses an existing subproject folder and never downloads. Libraries that upstream links
# "whole" become empty static libraries.
S="$W/subprojects"
mkdir -p "$S/_wraps_disabled"
mv "$S"/*.wrap "$S/_wraps_disabled/"
mk() {
  mkdir -p "$S/$1"
  printf '%s\n' "project('$1', ['c','cpp'])" "dummy_src = files('dummy.c')" >"$S/$1/meson.build"
  echo "int ms_stub_$(echo "$1" | tr -c 'a-z0-9\n' '_')(void){return 0;}" >"$S/$1/dummy.c"
}
mk abseil-cpp
cat >>"$S/abseil-cpp/meson.build" <<'X'
absl_container_dep = declare_dependency(dependencies: [dependency('absl_flat_hash_map'), dependency('absl_flat_hash_set'), dependency('absl_node_hash_map'), dependency('absl_btree'), dependency('absl_inlined_vector')])
absl_strings_dep = dependency('absl_strings')
absl_types_dep = declare_dependency(dependencies: [dependency('absl_optional'), dependency('absl_variant'), dependency('absl_span')])
absl_container_lib = static_library('absl_container_stub', dummy_src)
X
mk openssl
printf '%s\n' "openssl_dep = dependency('openssl')" "libcrypto_lib = static_library('crypto_stub', dummy_src)" "libssl_lib = static_library('ssl_stub', dummy_src)" >>"$S/openssl/meson.build"
mk nlohmann_json
echo "nlohmann_json_dep = dependency('nlohmann_json')" >>"$S/nlohmann_json/meson.build"
mk libuv
printf '%s\n' "libuv_dep = dependency('libuv')" "libuv = static_library('uv_stub', dummy_src)" >>"$S/libuv/meson.build"
printf '%s\n' "option('build_tests', type: 'boolean', value: false)" "option('build_benchmarks', type: 'boolean', value: false)" >"$S/libuv/meson_options.txt"
mk libsrtp2
printf '%s\n' "_srtp = dependency('libsrtp2')" "libsrtp2_dep = declare_dependency(dependencies: _srtp, compile_args: ['-I' + _srtp.get_variable(pkgconfig: 'includedir') / 'srtp2'])" "libsrtp2 = static_library('srtp2_stub', dummy_src)" >>"$S/libsrtp2/meson.build"
printf '%s\n' "option('crypto-library', type: 'string', value: 'openssl')" "option('crypto-library-kdf', type: 'string', value: 'disabled')" "option('tests', type: 'string', value: 'disabled')" >"$S/libsrtp2/meson_options.txt"
mk usrsctp
printf '%s\n' "usrsctp_dep = dependency('usrsctp')" "usrsctp = static_library('usrsctp_stub', dummy_src)" >>"$S/usrsctp/meson.build"
printf '%s\n' "option('sctp_build_programs', type: 'boolean', value: false)" >"$S/usrsctp/meson_options.txt"
mk catch2
echo "catch2_dep = declare_dependency()" >>"$S/catch2/meson.build"

# Debian 12's meson is 1.0.1; nothing in the worker needs 1.1.
sed -i "s/meson_version: '>= 1.1.0'/meson_version: '>= 1.0.0'/" "$W/meson.build"

echo "Compilation du worker mediasoup (quelques minutes)…" >&2
(
  cd "$W"
  meson setup --buildtype release -Db_ndebug=true -Db_pie=true -Db_staticpic=true --wrap-mode=nodownload out/Release/build >&2
  ninja -C out/Release/build -j"${OSTAL_MEDIASOUP_JOBS:-2}" mediasoup-worker >&2
)
test -x "$BIN"
echo "$BIN"
