# Shell functions that start the real components taproom runs with, in a private state directory
# ($TR_STATE), recording each PID so the caller stops exactly what it started.  Sourced by the
# integration tests (tests/integration/setup.sh) and by the demo (scripts/demo).
#
#   tr_start_mariadb       private datadir ($TR_STATE/db, copied from a template), unix socket only
#   tr_start_taproom ARGS  the master in the foreground, config in $TR_STATE/taproom.conf
#   tr_start_nginx         nginx on 127.0.0.1:$TR_HTTP_PORT (random unless set) in front of taproom
#
# The caller defines tr_track PID (remember a process to stop), tr_log and tr_need CMD PACKAGE.

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
# A datadir with the taproom database and accounts, made once per build tree and copied per run.
# TR_TEMPLATE_READY names the marker of a finished template; a new name rebuilds old templates.
: "${TR_TEMPLATE:=$top_builddir/tests/.mariadb-template}"
TR_TEMPLATE_READY=.ready-3

tr_mysql() { mariadb --no-defaults -S "$TR_DB_SOCKET" -uroot --batch --skip-column-names "$@"; }

tr_mariadb_args() {
	# A private tmpdir: in the shared /tmp, temporary files of the server (information_schema
	# queries write some) were seen removed under it by something else ("Error on delete").
	mkdir -p "$TR_STATE/dbtmp"
	echo --no-defaults --datadir="$1" --socket="$TR_DB_SOCKET" --skip-networking --user=root \
		--tmpdir="$TR_STATE/dbtmp" \
		--pid-file="$TR_STATE/mariadb.pid" --log-error="$TR_STATE/mariadb.err" \
		--innodb-buffer-pool-size=128M --innodb-log-file-size=16M --skip-log-bin \
		--character-set-server=utf8mb4 --collation-server=utf8mb4_bin
}

# Builds (once per build tree) a datadir with the taproom database and accounts; each test copies it.
# taproom (read-only account taproom) holds the data; TAP_UPLOAD is where that account may create
# temporary tables (uploads); taproom_uws (account taproom_uws, which may
# write there and nowhere else) the async job tables of sql/uws.sql.
tr_mariadb_template() {
	tpl=$TR_TEMPLATE
	[ -f "$tpl/$TR_TEMPLATE_READY" ] && return 0
	mkdir -p "$(dirname "$tpl")"
	exec 9>"$tpl.lock"
	flock 9
	if [ ! -f "$tpl/$TR_TEMPLATE_READY" ]; then
		rm -rf "$tpl"
		mariadb-install-db --no-defaults --datadir="$tpl" --user=root --auth-root-authentication-method=normal \
			--skip-test-db --innodb-log-file-size=16M >"$TR_STATE/install-db.log" 2>&1
		# shellcheck disable=SC2046
		"$MARIADBD" $(tr_mariadb_args "$tpl") >>"$TR_STATE/mariadb.out" 2>&1 </dev/null &
		tpid=$!
		tr_wait_for 60 mariadb-admin --no-defaults -S "$TR_DB_SOCKET" -uroot ping || { kill "$tpid"; return 1; }
		tr_mysql <<SQL
CREATE DATABASE taproom;
CREATE USER 'taproom'@'localhost' IDENTIFIED BY '$TR_DB_PASSWORD';
GRANT SELECT ON taproom.* TO 'taproom'@'localhost';
CREATE DATABASE TAP_UPLOAD;
GRANT CREATE TEMPORARY TABLES ON TAP_UPLOAD.* TO 'taproom'@'localhost';
CREATE DATABASE taproom_uws;
CREATE USER 'taproom_uws'@'localhost' IDENTIFIED BY '$TR_DB_PASSWORD';
GRANT SELECT, INSERT, UPDATE, DELETE ON taproom_uws.* TO 'taproom_uws'@'localhost';
SQL
		tr_mysql taproom_uws <"$top_srcdir/sql/uws.sql"
		mariadb-admin --no-defaults -S "$TR_DB_SOCKET" -uroot shutdown
		wait "$tpid" || true
		touch "$tpl/$TR_TEMPLATE_READY"
	fi
	exec 9>&-
}

tr_start_mariadb() {
	tr_need mariadb-install-db mariadb-server
	if [ ! -d "$TR_STATE/db" ]; then
		tr_mariadb_template
		cp -a "$TR_TEMPLATE" "$TR_STATE/db"
	fi
	# shellcheck disable=SC2046
	"$MARIADBD" $(tr_mariadb_args "$TR_STATE/db") >>"$TR_STATE/mariadb.out" 2>&1 </dev/null &
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

# tr_write_config [extra libconfig lines...]: the uws section names the test server's taproom_uws
# account (same password, same file as the query account).  The async section always has
# results_dir = $TR_STATE/results and executors = $TR_EXECUTORS (default 0: most tests count the
# master's children); an extra line "async = { ... };" adds its settings to that section (naming
# executors itself replaces the default).
tr_write_config() {
	printf '%s\n' "$TR_DB_PASSWORD" >"$TR_STATE/db.password"
	mkdir -p "$TR_STATE/results"
	async_extra=""
	{
		echo "listen = \"$TR_SOCKET\";"
		echo "listen_mode = \"0666\";"
		echo "workers = ${TR_WORKERS:-2};"
		echo "grace_time = ${TR_GRACE:-10};"
		echo "log_level = \"info\";"
		for line in "$@"; do
			case $line in
			"async = {"*) async_extra=${line#"async = {"}; async_extra=${async_extra%"};"} ;;
			*) echo "$line" ;;
			esac
		done
		echo "database = {"
		echo "  socket = \"$TR_DB_SOCKET\";"
		echo "  name = \"taproom\";"
		echo "  user = \"taproom\";"
		echo "  password_file = \"$TR_STATE/db.password\";"
		echo "  connect_timeout = 2;"
		echo "};"
		echo "uws = {"
		echo "  socket = \"$TR_DB_SOCKET\";"
		echo "  name = \"taproom_uws\";"
		echo "  user = \"taproom_uws\";"
		echo "  password_file = \"$TR_STATE/db.password\";"
		echo "};"
		echo "async = {"
		echo "  results_dir = \"$TR_STATE/results\";"
		case $async_extra in
		*executors*) ;;
		*) echo "  executors = ${TR_EXECUTORS:-0};" ;;
		esac
		[ -z "$async_extra" ] || echo " $async_extra"
		echo "};"
	} >"$TR_STATE/taproom.conf"
}

tr_start_taproom() {
	[ -f "$TR_STATE/taproom.conf" ] || tr_write_config
	"$TAPROOM" --foreground --config "$TR_STATE/taproom.conf" "$@" >>"$TR_STATE/taproom.log" 2>&1 </dev/null &
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
	fixed_port=${TR_HTTP_PORT:-}
	for attempt in 1 2 3 4 5 6 7 8; do
		# A fixed port (the demo's) gets one try; otherwise a random high port, retried when taken.
		TR_HTTP_PORT=${fixed_port:-$((20000 + $(od -An -N2 -tu2 /dev/urandom) % 40000))}
		sed -e "s|@PORT@|$TR_HTTP_PORT|g" -e "s|@STATE@|$TR_STATE/nginx|g" -e "s|@SOCKET@|$TR_SOCKET|g" \
			-e "s|@PREFIX@|${TR_BASE_PATH:-}|g" \
			"$top_srcdir/scripts/nginx.conf.in" >"$TR_STATE/nginx/nginx.conf"
		nginx -p "$TR_STATE/nginx" -c "$TR_STATE/nginx/nginx.conf" -e "$TR_STATE/nginx/error.log" \
			-g 'daemon off;' >>"$TR_STATE/nginx/error.log" 2>&1 </dev/null &
		TR_NGINX_PID=$!
		if tr_wait_for 5 curl -s -o /dev/null "http://127.0.0.1:$TR_HTTP_PORT/nginx-alive"; then
			tr_track "$TR_NGINX_PID"
			TR_URL="http://127.0.0.1:$TR_HTTP_PORT${TR_BASE_PATH:-}"
			return 0
		fi
		kill "$TR_NGINX_PID" 2>/dev/null || true
		wait "$TR_NGINX_PID" 2>/dev/null || true
		tr_log "nginx could not use port $TR_HTTP_PORT (attempt $attempt)"
		[ -z "$fixed_port" ] || return 1
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

