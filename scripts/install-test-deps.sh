#!/usr/bin/env bash
# Installs what the test suite needs outside Python: Debian's Chromium for the browser tests and
# the PostgreSQL server for the database tests (tests start their own server in a temp folder).
# As root (CI) it uses apt-get; otherwise it tries sudo without a password prompt, and failing
# that stops with the one command to run by hand.
set -euo pipefail
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ]; then
    sudo=""
elif sudo -n true 2>/dev/null; then
    sudo="sudo -n"
else
    echo "arkit tests need: ${missing[*]}. Install with: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
fi
echo "installing ${missing[*]} with apt-get" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
