#!/bin/sh
# Installs the Debian 12 packages taproom needs to build, test and run its demo.  Idempotent and
# quiet when nothing is missing; needs root only when something is.
set -eu

packages="
build-essential autoconf automake pkg-config
libfcgi-dev libmariadb-dev libexpat1-dev libconfig-dev libcmocka-dev libssl-dev
mariadb-server mariadb-client nginx-light curl
libxml2-utils stilts unzip python3-pyvo python3-astropy
groff-base man-db procps libfcgi-bin spawn-fcgi
clang libclang-rt-14-dev
"

missing=""
for p in $packages; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

echo "taproom: installing Debian packages:$missing"
if [ "$(id -u)" -ne 0 ]; then
	echo "taproom: run as root (or install them with apt-get) first" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq $missing >/dev/null
