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

tr_wait_for() { # tr_wait_for SECONDS command...: polls every 0.1 s
	limit=$(($1 * 10)); shift
	i=0
	while ! "$@" >/dev/null 2>&1; do
		i=$((i + 1))
		[ "$i" -ge "$limit" ] && return 1
		sleep 0.1
	done
	return 0
}

# ---- MariaDB ---------------------------------------------------------------------------------
TR_DB_SOCKET=$TR_STATE/mysql.sock
TR_DB_PASSWORD=taproom-test-password
MARIADBD=$(command -v mariadbd || echo /usr/sbin/mariadbd)

tr_mysql() { mariadb --no-defaults -S "$TR_DB_SOCKET" -uroot --batch --skip-column-names "$@"; }

tr_mariadb_args() {
	echo --no-defaults --datadir="$1" --socket="$TR_DB_SOCKET" --skip-networking --user=root \
		--pid-file="$TR_STATE/mariadb.pid" --log-error="$TR_STATE/mariadb.err" \
		--innodb-buffer-pool-size=128M --innodb-log-file-size=16M --skip-log-bin \
		--character-set-server=utf8mb4 --collation-server=utf8mb4_bin
}

# Builds (once per build tree) a datadir with the taproom database and accounts; each test copies it.
tr_mariadb_template() {
	tpl=$top_builddir/tests/.mariadb-template
	[ -f "$tpl/.ready" ] && return 0
	mkdir -p "$top_builddir/tests"
	exec 9>"$top_builddir/tests/.mariadb-template.lock"
	flock 9
	if [ ! -f "$tpl/.ready" ]; then
		rm -rf "$tpl"
		mariadb-install-db --no-defaults --datadir="$tpl" --user=root --auth-root-authentication-method=normal \
			--skip-test-db --innodb-log-file-size=16M >"$TR_STATE/install-db.log" 2>&1
		# shellcheck disable=SC2046
		"$MARIADBD" $(tr_mariadb_args "$tpl") &
		tpid=$!
		tr_wait_for 60 mariadb-admin --no-defaults -S "$TR_DB_SOCKET" -uroot ping || { kill "$tpid"; return 1; }
		tr_mysql <<SQL
CREATE DATABASE taproom;
CREATE USER 'taproom'@'localhost' IDENTIFIED BY '$TR_DB_PASSWORD';
GRANT SELECT ON taproom.* TO 'taproom'@'localhost';
SQL
		mariadb-admin --no-defaults -S "$TR_DB_SOCKET" -uroot shutdown
		wait "$tpid" || true
		touch "$tpl/.ready"
	fi
	exec 9>&-
}

tr_start_mariadb() {
	tr_need mariadb-install-db mariadb-server
	if [ ! -d "$TR_STATE/db" ]; then
		tr_mariadb_template
		cp -a "$top_builddir/tests/.mariadb-template" "$TR_STATE/db"
	fi
	# shellcheck disable=SC2046
	"$MARIADBD" $(tr_mariadb_args "$TR_STATE/db") &
	TR_DB_PID=$!
	tr_track "$TR_DB_PID"
	tr_wait_for 60 mariadb-admin --no-defaults -S "$TR_DB_SOCKET" -uroot ping || { tr_log "mariadb did not start"; return 1; }
}

tr_stop_mariadb() {
	kill -TERM "$TR_DB_PID"
	wait "$TR_DB_PID" 2>/dev/null || true
	tr_untrack "$TR_DB_PID"
}

# ---- taproom ---------------------------------------------------------------------------------
TR_SOCKET=$TR_STATE/taproom.sock
TAPROOM=$top_builddir/taproom

# tr_write_config [extra libconfig lines...]
tr_write_config() {
	printf '%s\n' "$TR_DB_PASSWORD" >"$TR_STATE/db.password"
	{
		echo "listen = \"$TR_SOCKET\";"
		echo "listen_mode = \"0666\";"
		echo "workers = ${TR_WORKERS:-2};"
		echo "grace_time = ${TR_GRACE:-10};"
		echo "log_level = \"info\";"
		for line in "$@"; do echo "$line"; done
		echo "database = {"
		echo "  socket = \"$TR_DB_SOCKET\";"
		echo "  name = \"taproom\";"
		echo "  user = \"taproom\";"
		echo "  password_file = \"$TR_STATE/db.password\";"
		echo "  connect_timeout = 2;"
		echo "};"
	} >"$TR_STATE/taproom.conf"
}

tr_start_taproom() {
	[ -f "$TR_STATE/taproom.conf" ] || tr_write_config
	"$TAPROOM" --foreground --config "$TR_STATE/taproom.conf" "$@" >>"$TR_STATE/taproom.log" 2>&1 &
	TR_MASTER_PID=$!
	tr_track "$TR_MASTER_PID"
	tr_wait_for 20 test -S "$TR_SOCKET" || { tr_log "taproom did not create its socket"; return 1; }
}

# PIDs of the master's live children (workers).
tr_workers() { pgrep -P "$TR_MASTER_PID" | sort; }
tr_worker_count() { tr_workers | wc -l; }

# ---- nginx -----------------------------------------------------------------------------------
tr_start_nginx() {
	tr_need nginx nginx-light
	mkdir -p "$TR_STATE/nginx"
	for attempt in 1 2 3 4 5 6 7 8; do
		TR_HTTP_PORT=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
		sed -e "s|@PORT@|$TR_HTTP_PORT|g" -e "s|@STATE@|$TR_STATE/nginx|g" -e "s|@SOCKET@|$TR_SOCKET|g" \
			-e "s|@PREFIX@|${TR_BASE_PATH:-}|g" \
			"$top_srcdir/tests/integration/nginx.conf.in" >"$TR_STATE/nginx/nginx.conf"
		nginx -p "$TR_STATE/nginx" -c "$TR_STATE/nginx/nginx.conf" -e "$TR_STATE/nginx/error.log" \
			-g 'daemon off;' 2>>"$TR_STATE/nginx/error.log" &
		TR_NGINX_PID=$!
		if tr_wait_for 5 curl -s -o /dev/null "http://127.0.0.1:$TR_HTTP_PORT/nginx-alive"; then
			tr_track "$TR_NGINX_PID"
			TR_URL="http://127.0.0.1:$TR_HTTP_PORT${TR_BASE_PATH:-}"
			return 0
		fi
		kill "$TR_NGINX_PID" 2>/dev/null || true
		wait "$TR_NGINX_PID" 2>/dev/null || true
		tr_log "nginx could not use port $TR_HTTP_PORT (attempt $attempt)"
	done
	return 1
}

# tr_http PATH [curl args]: prints the body; the status goes to $TR_STATE/status.
tr_http() {
	p=$1; shift
	curl -sS -o "$TR_STATE/body" -w '%{http_code}' "$@" "$TR_URL$p" >"$TR_STATE/status" || echo 000 >"$TR_STATE/status"
	cat "$TR_STATE/body"
}
tr_status() { cat "$TR_STATE/status"; }

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
tr_validate() { # tr_validate SCHEMA_NAME FILE
	xmllint --nonet --noout --schema "$(tr_schema "$1")" "$2" >"$TR_STATE/xmllint.out" 2>&1 ||
		{ cat "$TR_STATE/xmllint.out"; return 1; }
}
