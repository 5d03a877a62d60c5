#!/usr/bin/env bash
# Install Debian packages the tests need, only when their command is missing.
# usage: scripts/system-deps.sh command:package [command:package ...]
# Without root the script names the package and the command to install it; with CI=true
# it then fails, so CI never skips a test for want of a package.
set -u
missing=()
for pair in "$@"; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "installing ${missing[*]} (Debian packages for the tests)"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null && exit 0
  echo "apt-get could not install ${missing[*]}" >&2
fi
echo "missing Debian package(s): ${missing[*]}; install them with: sudo apt-get install ${missing[*]}" >&2
if [ "${CI:-}" = true ]; then exit 1; fi
echo "continuing: the tests that need them will be skipped with this message" >&2
exit 0
