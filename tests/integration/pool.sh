#!/bin/sh
# The master's duties against real processes: respawn (with back-off in a crash loop), reload on
# SIGHUP without dropping a request, drain on SIGTERM, the grace-time bound, recycling after
# max_requests.  A request is held "in flight" by freezing MariaDB (SIGSTOP): the worker then
# waits inside its database ping until the database is thawed (SIGCONT).
. "$(dirname "$0")/setup.sh"
tr_need curl curl

tr_start_mariadb
TR_WORKERS=3 tr_write_config
tr_start_taproom
tr_start_nginx
tr_wait_for 10 sh -c "test \$(pgrep -P $TR_MASTER_PID | wc -l) -eq 3"

all_ok() { # all_ok N: N requests in a row answer 200
	for _ in $(seq 1 "$1"); do
		tr_http /availability >/dev/null
		[ "$(tr_status)" = 200 ] || return 1
	done
}

# ---- respawn ---------------------------------------------------------------------------------
victim=$(tr_workers | head -n 1)
kill -KILL "$victim"
tr_check "service keeps answering after a worker is killed" all_ok 10
tr_wait_for 10 sh -c "test \$(pgrep -P $TR_MASTER_PID | wc -l) -eq 3"
tr_check "the killed worker is replaced (3 workers)" test "$(tr_worker_count)" -eq 3
tr_check "the killed worker is gone" sh -c "! pgrep -P $TR_MASTER_PID | grep -qx $victim"
tr_check "the master logged the death" grep -q "killed by signal 9" "$TR_STATE/taproom.log"

# Crash loop: workers that keep dying young are respawned with growing delays.
for _ in 1 2 3 4; do
	w=$(pgrep -P "$TR_MASTER_PID" | head -n 1)
	[ -n "$w" ] && kill -KILL "$w"
	sleep 0.3
done
tr_check "a crash loop backs off" grep -Eq "next respawn in (200|400|800|1600) ms" "$TR_STATE/taproom.log"
tr_wait_for 15 sh -c "test \$(pgrep -P $TR_MASTER_PID | wc -l) -eq 3"
tr_check "the pool returns to full strength after the crash loop" test "$(tr_worker_count)" -eq 3
tr_check "and still answers" all_ok 5

# ---- reload ----------------------------------------------------------------------------------
before=$(tr_workers | tr '\n' ' ')
kill -STOP "$TR_DB_PID"
curl -sS -o "$TR_STATE/inflight.body" -w '%{http_code}' "$TR_URL/availability" >"$TR_STATE/inflight.status" &
curl_pid=$!
sleep 0.5
TR_WORKERS=4 tr_write_config
kill -HUP "$TR_MASTER_PID"
sleep 1.5
kill -CONT "$TR_DB_PID"
wait "$curl_pid" || true
tr_check "the request in flight during a reload completes with 200" test "$(cat "$TR_STATE/inflight.status")" = 200
tr_check "and its document is complete" grep -q '</vosi:availability>' "$TR_STATE/inflight.body"
tr_wait_for 20 sh -c "test \$(pgrep -P $TR_MASTER_PID | wc -l) -eq 4"
tr_check "the reloaded config (workers = 4) is applied" test "$(tr_worker_count)" -eq 4
after=$(tr_workers | tr '\n' ' ')
common=0
for p in $before; do case " $after " in *" $p "*) common=$((common + 1)) ;; esac; done
tr_check "every old worker was replaced ($before -> $after)" test "$common" -eq 0
tr_check "reload is logged" grep -q "configuration reloaded" "$TR_STATE/taproom.log"
tr_check "service answers after reload" all_ok 8

# A broken config on reload keeps the running one.
printf 'workers = "x";\n' >"$TR_STATE/taproom.conf"
kill -HUP "$TR_MASTER_PID"
tr_wait_for 5 grep -q "reload failed, keeping the running configuration" "$TR_STATE/taproom.log"
tr_check "an invalid config on reload is refused and logged" grep -q "reload failed" "$TR_STATE/taproom.log"
tr_check "the service keeps its workers" test "$(tr_worker_count)" -eq 4
tr_check "and keeps answering" all_ok 4

# ---- drain -----------------------------------------------------------------------------------
TR_WORKERS=2 tr_write_config
kill -HUP "$TR_MASTER_PID"
tr_wait_for 20 sh -c "test \$(pgrep -P $TR_MASTER_PID | wc -l) -eq 2"
drained_workers=$(tr_workers)
kill -STOP "$TR_DB_PID"
curl -sS -o "$TR_STATE/drain.body" -w '%{http_code}' "$TR_URL/availability" >"$TR_STATE/drain.status" &
curl_pid=$!
sleep 0.5
kill -TERM "$TR_MASTER_PID"
sleep 1
tr_check "the master waits for the request in flight" kill -0 "$TR_MASTER_PID"
kill -CONT "$TR_DB_PID"
wait "$curl_pid" || true
tr_check "the request in flight during a drain completes with 200" test "$(cat "$TR_STATE/drain.status")" = 200
wait "$TR_MASTER_PID" && rc=0 || rc=$?
tr_untrack "$TR_MASTER_PID"
tr_check "the drained master exits 0" test "$rc" = 0
left=0
for w in $drained_workers; do kill -0 "$w" 2>/dev/null && left=$((left + 1)); done
tr_check "no worker is left behind" test "$left" -eq 0

# The grace time bounds a drain: a request stuck longer is cut off, and the master still exits 0.
rm -f "$TR_STATE/taproom.conf"
TR_WORKERS=1 TR_GRACE=2 tr_write_config
tr_start_taproom
kill -STOP "$TR_DB_PID"
curl -sS -o /dev/null "$TR_URL/availability" 2>/dev/null &
curl_pid=$!
sleep 0.5
t0=$(date +%s)
kill -TERM "$TR_MASTER_PID"
wait "$TR_MASTER_PID" && rc=0 || rc=$?
t1=$(date +%s)
tr_untrack "$TR_MASTER_PID"
kill -CONT "$TR_DB_PID"
wait "$curl_pid" || true
tr_check "a stuck request is cut off after grace_time (took $((t1 - t0)) s)" test $((t1 - t0)) -le 5
tr_check "the master still exits 0" test "$rc" = 0
tr_check "the cut-off is logged" grep -q "did not stop within grace_time" "$TR_STATE/taproom.log"

# ---- recycle ---------------------------------------------------------------------------------
rm -f "$TR_STATE/taproom.conf"
TR_WORKERS=1 tr_write_config "max_requests = 5;"
tr_start_taproom
first=$(tr_workers)
tr_check "12 requests with max_requests = 5 all succeed" all_ok 12
tr_check "the worker recycled after 5 requests" grep -q "recycling after 5 requests" "$TR_STATE/taproom.log"
tr_wait_for 5 sh -c "test \$(pgrep -P $TR_MASTER_PID | wc -l) -eq 1"
now=$(tr_workers)
tr_check "a new worker took over ($first -> $now)" test -n "$now" -a "$first" != "$now"
pids=$(grep -Eo 'worker\[[0-9]+\] req=[^ ]+ access' "$TR_STATE/taproom.log" | tail -n 12 | grep -Eo '\[[0-9]+\]' | sort -u | wc -l)
tr_check "12 requests were served by 3 successive workers ($pids)" test "$pids" -eq 3

tr_finish
