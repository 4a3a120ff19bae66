#!/usr/bin/env bash
# README command 1: installs everything, then starts Ostal on an embedded demo (local servers with French demo data
# and the account of agent1 already set up). Stop with Ctrl+C: the demo servers stop with it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
exec node scripts/start.mjs --demo "$@"
