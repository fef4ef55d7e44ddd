# Sourced by every integration test: starts real components in a private state directory and
# stops exactly the processes it started (by their recorded PIDs) when the test exits.
#
#   tr_start_mariadb       private datadir copied from a per-build template, unix socket only
#   tr_start_taproom ARGS  the master in the foreground, config in $TR_STATE/taproom.conf
#   tr_start_nginx         nginx on 127.0.0.1:$TR_HTTP_PORT in front of taproom's socket
#
# Exit codes follow automake: 0 pass, 1 fail, 77 skip.
set -eu

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir/build}"
export top_srcdir top_builddir

TR_STATE=$(mktemp -d /tmp/taproom-it.XXXXXX)
chmod 755 "$TR_STATE"
TR_PIDS=""
TR_FAILS=0
TR_PASSES=0
TR_NAME=$(basename "$0" .sh)

tr_log() { printf '[%s] %s\n' "$TR_NAME" "$*"; }

tr_cleanup() {
	rc=$?
	# A sanitizer report in a worker fails the test even when the service recovered from it.
	if [ -f "$TR_STATE/taproom.log" ] && grep -Eq 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$TR_STATE/taproom.log"; then
		grep -E -A20 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$TR_STATE/taproom.log" | head -n 60
		echo "$TR_NAME: sanitizer report in taproom.log"
		[ "$rc" -eq 0 ] && rc=1
	fi
	for pid in $TR_PIDS; do
		kill -TERM "$pid" 2>/dev/null || true
	done
	for pid in $TR_PIDS; do
		for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$pid" 2>/dev/null || true
	done
	if [ "$rc" -ne 0 ] && [ "$rc" -ne 77 ]; then
		for f in "$TR_STATE"/*.log "$TR_STATE"/mariadb.err "$TR_STATE"/nginx/error.log; do
			[ -f "$f" ] || continue
			echo "---- tail of $f"; tail -n 40 "$f"
		done
	fi
	rm -rf "$TR_STATE"
	trap - EXIT
	exit "$rc"
}
trap tr_cleanup EXIT
trap 'exit 1' INT TERM

tr_track() { TR_PIDS="$TR_PIDS $1"; }
tr_untrack() { TR_PIDS=$(printf '%s\n' $TR_PIDS | grep -vx "$1" | tr '\n' ' '); }

tr_skip() { tr_log "SKIP: $*"; exit 77; }
tr_need() { command -v "$1" >/dev/null 2>&1 || tr_skip "$1 not installed (Debian package $2)"; }

tr_ok() { TR_PASSES=$((TR_PASSES + 1)); tr_log "ok: $*"; }
tr_fail() { TR_FAILS=$((TR_FAILS + 1)); tr_log "FAIL: $*"; }
tr_check() { # tr_check "description" command...
	desc=$1; shift
	if "$@"; then tr_ok "$desc"; else tr_fail "$desc"; fi
}
tr_finish() {
	echo "$TR_NAME: $TR_PASSES passed, $TR_FAILS failed"
	[ "$TR_FAILS" -eq 0 ]
}

. "$top_srcdir/scripts/services.sh"

# ---- schemas (from the Debian stilts packages, so tests run without ../shared) --------------
TR_TTOOLS_JAR=/usr/share/java/starlink-ttools.jar
TR_UTIL_JAR=/usr/share/java/starlink-util.jar
tr_schema() { # tr_schema NAME -> path of the extracted XSD (NAME as in the jar, without .xsd)
	tr_need unzip unzip
	[ -f "$TR_TTOOLS_JAR" ] || tr_skip "$TR_TTOOLS_JAR missing (Debian package stilts)"
	out=$TR_STATE/xsd/$1.xsd
	if [ ! -f "$out" ]; then
		mkdir -p "$TR_STATE/xsd"
		unzip -p "$TR_TTOOLS_JAR" "uk/ac/starlink/ttools/taplint/$1.xsd" >"$out" 2>/dev/null ||
			unzip -p "$TR_UTIL_JAR" "uk/ac/starlink/util/text/$1.xsd" >"$out"
	fi
	echo "$out"
}
tr_uws_valid() { # tr_uws_valid FILE: valid against UWS 1.1; its xlink and xml imports resolve offline
	xsd=$TR_STATE/xsd
	if [ ! -f "$xsd/uws-catalog.xml" ]; then
		# In subshells: tr_schema sets variables that callers may use too.
		(tr_schema UWS-v1.1 && tr_schema xlink && tr_schema xmlnamespace) >/dev/null
		cat >"$xsd/uws-catalog.xml" <<XML
<?xml version="1.0"?>
<catalog xmlns="urn:oasis:names:tc:entity:xmlns:xml:catalog">
  <uri name="http://www.ivoa.net/xml/Xlink/xlink.xsd" uri="$xsd/xlink.xsd"/>
  <uri name="http://www.w3.org/2001/xml.xsd" uri="$xsd/xmlnamespace.xsd"/>
</catalog>
XML
	fi
	XML_CATALOG_FILES=$xsd/uws-catalog.xml xmllint --nonet --noout --schema "$xsd/UWS-v1.1.xsd" "$1" \
		>"$TR_STATE/xmllint.out" 2>&1 || { cat "$TR_STATE/xmllint.out"; return 1; }
}
tr_validate() { # tr_validate SCHEMA_NAME FILE
	xmllint --nonet --noout --schema "$(tr_schema "$1")" "$2" >"$TR_STATE/xmllint.out" 2>&1 ||
		{ cat "$TR_STATE/xmllint.out"; return 1; }
}
