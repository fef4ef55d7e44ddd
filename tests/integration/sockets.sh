#!/bin/sh
# The three ways taproom gets its FastCGI socket: a unix path (the other tests), 127.0.0.1:PORT,
# and a socket inherited on fd 0 from the process that spawned it (spawn-fcgi here; mod_fcgid and
# lighttpd's bin-path do the same).  Requests are sent with cgi-fcgi, libfcgi's own client.
. "$(dirname "$0")/setup.sh"
tr_need cgi-fcgi libfcgi-bin
tr_need spawn-fcgi spawn-fcgi

# fcgi_get CONNECT PATH: one GET through FastCGI; prints headers and body.
fcgi_get() {
	env -i REQUEST_METHOD=GET REQUEST_URI="$2" SERVER_NAME=localhost SERVER_PORT=80 \
		cgi-fcgi -bind -connect "$1" 2>&1
}

tr_start_mariadb
tr_write_config

# ---- TCP on the loopback ---------------------------------------------------------------------
port=""
for _ in 1 2 3 4 5 6; do
	port=$((20000 + $(od -An -N2 -tu2 /dev/urandom) % 40000))
	"$TAPROOM" --foreground --config "$TR_STATE/taproom.conf" --listen "127.0.0.1:$port" \
		>>"$TR_STATE/taproom.log" 2>&1 </dev/null &
	TR_MASTER_PID=$!
	if tr_wait_for 5 grep -q "listening on 127.0.0.1:$port" "$TR_STATE/taproom.log"; then break; fi
	wait "$TR_MASTER_PID" 2>/dev/null || true
done
tr_track "$TR_MASTER_PID"
out=$(fcgi_get "127.0.0.1:$port" /availability)
tr_check "a TCP listener on 127.0.0.1 answers FastCGI" sh -c "echo \"\$1\" | grep -q '<vosi:available>true</vosi:available>'" _ "$out"
tr_check "with a Status line" sh -c "echo \"\$1\" | grep -q '^Status: 200 OK'" _ "$out"
out=$(fcgi_get "127.0.0.1:$port" /nope)
tr_check "unknown path over TCP gives 404" sh -c "echo \"\$1\" | grep -q '^Status: 404'" _ "$out"
kill -TERM "$TR_MASTER_PID"; wait "$TR_MASTER_PID" && rc=0 || rc=$?; tr_untrack "$TR_MASTER_PID"
tr_check "the TCP master drains and exits 0" test "$rc" = 0

# ---- a socket inherited on fd 0 --------------------------------------------------------------
# The config names no socket: the spawner's socket on fd 0 is the one to use.
sed -i '/^listen/d' "$TR_STATE/taproom.conf"
echo 'listen = "";' >>"$TR_STATE/taproom.conf"
spawn-fcgi -n -s "$TR_STATE/spawned.sock" -M 0666 -- "$TAPROOM" --foreground --workers 2 \
	--config "$TR_STATE/taproom.conf" >>"$TR_STATE/taproom.log" 2>&1 </dev/null &
TR_MASTER_PID=$!
tr_track "$TR_MASTER_PID"
tr_wait_for 10 grep -q "inherited on fd 0" "$TR_STATE/taproom.log"
tr_check "taproom uses the socket inherited on fd 0" grep -q "using the FastCGI socket inherited on fd 0" "$TR_STATE/taproom.log"
tr_wait_for 10 sh -c "test \$(pgrep -P $TR_MASTER_PID | wc -l) -eq 2"
tr_check "and runs its 2 workers on it" test "$(tr_worker_count)" -eq 2
ok=1
for _ in 1 2 3 4 5; do
	fcgi_get "$TR_STATE/spawned.sock" /availability | grep -q '<vosi:available>true</vosi:available>' || ok=0
done
tr_check "requests on the inherited socket are answered" test "$ok" = 1
kill -TERM "$TR_MASTER_PID"; wait "$TR_MASTER_PID" && rc=0 || rc=$?; tr_untrack "$TR_MASTER_PID"
tr_check "the spawned master drains and exits 0" test "$rc" = 0
tr_check "it leaves the spawner's socket file alone" test -S "$TR_STATE/spawned.sock"

# No socket at all: a clear error, exit 2.
"$TAPROOM" --foreground --config "$TR_STATE/taproom.conf" </dev/null >"$TR_STATE/nosock.out" 2>&1 && rc=0 || rc=$?
tr_check "no socket configured and none inherited: exit 2" test "$rc" = 2
tr_check "with a message" grep -q "fd 0 is not a listening socket" "$TR_STATE/nosock.out"

tr_finish
