#!/bin/sh
# Async executors and the housekeeper (issue 7) against a real MariaDB, without the HTTP side: jobs
# are put into the job tables directly (as /async would) and the test watches the database, the
# results directory and the log.  Covered: results in VOTable and CSV (MAXREC, overflow, a result
# larger than the write buffer), query and parameter errors, the time limit (in the database and
# while writing), an error after the output began, an abort, a killed executor (re-queued, then
# failed past max_requeues), destruction of expired jobs (a running one has its statement killed),
# a missing results_dir, a full disk, reload replacing executors, and SIGTERM with a job in hand
# (given back, run after a restart).
. "$(dirname "$0")/setup.sh"

tr_start_mariadb
tr_mysql <"$top_srcdir/sql/tap_schema.sql"
tr_mysql <"$top_srcdir/tests/integration/data/alltypes.sql"
RESULTS=$TR_STATE/results
TR_WORKERS=1 TR_GRACE=10 tr_write_config \
	"async = { executors = 1; housekeeping_interval = 1; executor_poll_ms = 100; max_requeues = 1; };"
tr_start_taproom
LOG=$TR_STATE/taproom.log

# ---- helpers --------------------------------------------------------------------------------------
NOW="CAST(UNIX_TIMESTAMP(NOW(3)) * 1000 AS SIGNED)"
uws() { tr_mysql taproom_uws "$@"; }
sql_str() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/''/g")"; }
N=0
# new_job DURATION QUERY [FORMAT [MAXREC [DESTRUCTION_S]]]: a QUEUED job; its id in $J
new_job() {
	N=$((N + 1))
	J=$(printf 'e%031d' "$N")
	maxrec=""
	[ -z "${4:-}" ] || maxrec=", ('$J', 3, 'MAXREC', '$4')"
	# One transaction, as uws_store_create does: an executor must never claim a job whose
	# parameters are not there yet.
	uws -e "START TRANSACTION;
		INSERT INTO uws_job (job_id, phase, creation_ms, destruction_ms, execution_duration)
		VALUES ('$J', 'QUEUED', $NOW, $NOW + ${5:-3600} * 1000, $1);
		INSERT INTO uws_parameter (job_id, seq, name, value) VALUES ('$J', 0, 'QUERY', $(sql_str "$2")),
		('$J', 1, 'LANG', 'ADQL'), ('$J', 2, 'RESPONSEFORMAT', '${3:-votable}')$maxrec;
		COMMIT;"
}
field() { uws -e "SELECT $2 FROM uws_job WHERE job_id = '$1'"; }
is_final() { case $(field "$1" phase) in COMPLETED | ERROR | ABORTED) return 0 ;; esac; return 1; }
phase_is() { [ "$(field "$1" phase)" = "$2" ]; }
is_running() { phase_is "$1" EXECUTING && [ "$(field "$1" 'db_thread_id IS NOT NULL')" = 1 ]; }
gone() { [ "$(uws -e "SELECT COUNT(*) FROM uws_job WHERE job_id = '$1'")" = 0 ]; }
executor_pid() { field "$1" executor | sed 's/.*://'; }
says() { field "$1" error_msg | grep -q "$2" || { echo "error_msg: $(field "$1" error_msg)"; return 1; }; }
no_files() { [ ! -e "$RESULTS/$1/result.part" ] && [ ! -e "$RESULTS/$1/result" ]; }
# The statements of the read-only account that scan tr_test.big (the slow queries below).
slow_running() { [ "$(tr_mysql -e "SELECT COUNT(*) FROM information_schema.processlist
	WHERE user = 'taproom' AND command = 'Query' AND info LIKE '%big%'")" != 0 ]; }
no_slow_running() { ! slow_running; }
kill_slow() {
	for id in $(tr_mysql -e "SELECT id FROM information_schema.processlist WHERE user = 'taproom' AND info LIKE '%big%'"); do
		tr_mysql -e "KILL $id" 2>/dev/null || true
	done
}
lines() { wc -l <"$1" | tr -d ' '; }
# Minutes on the test data: a count over the cross join of 200,000 rows with itself.
SLOW='SELECT COUNT(*) AS n FROM tr_test.big AS a, tr_test.big AS b WHERE a.x + b.x < 0'
# A result of 5,000,000 rows (about 50 MB of CSV): seconds to write, long enough to interrupt.
LONG='SELECT TOP 5000000 a.id, b.id AS id2 FROM tr_test.big AS a, tr_test.big AS b'

tr_wait_for 10 grep -q 'executor\[[0-9]*\].*executor 1 ready' "$LOG"
tr_check "the master runs an executor and a housekeeper, and logs their roles" \
	sh -c "grep -q 'executor\[[0-9]*\].*ready' '$LOG' && grep -q 'housekeeper\[[0-9]*\].*housekeeper ready' '$LOG'"

# ---- results --------------------------------------------------------------------------------------
new_job 60 'SELECT TOP 1000 id, x, label FROM tr_test.big ORDER BY id'
V=$J
tr_wait_for 30 is_final "$V"
tr_check "a VOTable job completes" phase_is "$V" COMPLETED
tr_check "with result_rows 1000, no overflow" test "$(field "$V" 'result_rows, result_overflow')" = "1000	0"
tr_check "its result file holds the 1000 rows" test "$(grep -c '<TR>' "$RESULTS/$V/result")" = 1000
tr_check "result_bytes is the file's size" test "$(field "$V" result_bytes)" = "$(wc -c <"$RESULTS/$V/result" | tr -d ' ')"
tr_check "the Content-Type is VOTable's" sh -c "echo '$(field "$V" result_type)' | grep -q 'application/x-votable+xml'"
tr_check "the document says QUERY_STATUS OK" grep -q '<INFO name="QUERY_STATUS" value="OK"' "$RESULTS/$V/result"
tr_check "no result.part is left" test ! -e "$RESULTS/$V/result.part"
tr_check "the executor (host:pid) and its query thread were recorded" \
	sh -c "echo '$(field "$V" 'executor, db_thread_id')' | grep -Eq '^[^:]+:[0-9]+	[0-9]+$'"
tr_check "the job's log lines carry its id" grep -q "req=$V job completed: 1000 rows" "$LOG"

new_job 60 'SELECT id FROM tr_test.big WHERE id <= 500 ORDER BY id' csv
C=$J
new_job 60 'SELECT id, label FROM tr_test.big ORDER BY id' csv 10
O=$J
new_job 60 'SELECT id, x, label FROM tr_test.big ORDER BY id' csv 1000000
B=$J
tr_wait_for 60 is_final "$B"
tr_check "a CSV job completes" phase_is "$C" COMPLETED
tr_check "its file has a header and 500 lines" test "$(lines "$RESULTS/$C/result")" = 501
tr_check "and the right last row" test "$(tail -n 1 "$RESULTS/$C/result" | tr -d '\r')" = 500
tr_check "the Content-Type is text/csv" sh -c "echo '$(field "$C" result_type)' | grep -q '^text/csv'"
tr_check "MAXREC=10: 10 rows and the overflow flag" test "$(field "$O" 'result_rows, result_overflow')" = "10	1"
tr_check "... and 10 rows in the file" test "$(lines "$RESULTS/$O/result")" = 11
tr_check "a result far larger than the write buffer: 200000 rows" test "$(field "$B" result_rows)" = 200000
tr_check "... all of them in the file" test "$(lines "$RESULTS/$B/result")" = 200001
tr_check "... byte for byte as recorded" test "$(field "$B" result_bytes)" = "$(wc -c <"$RESULTS/$B/result" | tr -d ' ')"

# ---- errors ---------------------------------------------------------------------------------------
new_job 60 'SELECT id FORM tr_test.big'
S=$J
new_job 60 'SELECT nope FROM tr_test.big'
U=$J
N=$((N + 1))
L=$(printf 'e%031d' "$N")
uws -e "INSERT INTO uws_job (job_id, phase, creation_ms, destruction_ms, execution_duration)
	VALUES ('$L', 'QUEUED', $NOW, $NOW + 3600000, 60);
	INSERT INTO uws_parameter (job_id, seq, name, value) VALUES ('$L', 0, 'QUERY', 'SELECT 1 FROM tr_test.big'), ('$L', 1, 'LANG', 'SQL')"
new_job 2 "$SLOW"
T=$J
tr_wait_for 30 is_final "$U"
tr_wait_for 30 is_final "$L"
tr_check "bad ADQL: ERROR" phase_is "$S" ERROR
tr_check "with the parser's message, line and column" says "$S" 'line 1, column 11: expected FROM'
tr_check "and error_status 400" test "$(field "$S" error_status)" = 400
tr_check "no result file for a failed job" no_files "$S"
tr_check "an unknown column: ERROR 400 naming it" sh -c "test '$(field "$U" 'phase, error_status')' = 'ERROR	400'"
tr_check "... naming it" says "$U" nope
tr_check "LANG=SQL: ERROR 400 about LANG" sh -c "test '$(field "$L" 'phase, error_status')' = 'ERROR	400'"
tr_check "... about LANG" says "$L" LANG
tr_wait_for 30 is_final "$T"
tr_check "a query over its execution duration (2 s) ends in ERROR" phase_is "$T" ERROR
tr_check "... saying it exceeded its time limit" says "$T" 'time limit (execution duration 2 s)'
tr_check "... within seconds" test "$(field "$T" '(end_ms - start_ms) < 8000')" = 1
tr_wait_for 10 no_slow_running || true
tr_check "... and its statement is gone from the database" no_slow_running

# Time spent writing the result counts too: the executor is frozen while it writes.
new_job 4 "$LONG" csv 10000000
W=$J
tr_wait_for 30 is_running "$W"
pid=$(executor_pid "$W")
kill -STOP "$pid"
sleep 5
kill -CONT "$pid"
tr_wait_for 30 is_final "$W"
tr_check "a result written past the execution duration ends in ERROR" phase_is "$W" ERROR
tr_check "... saying so" says "$W" 'time limit (execution duration 4 s) while its result was written'
tr_check "... without a partial file" no_files "$W"

# An error after the output began: the VOTable would end with an error INFO, but the result is
# incomplete, so the job is in ERROR (TAP 1.1 §2.9) and the partial document goes.
new_job 600 "$LONG" votable 10000000
X=$J
tr_wait_for 30 is_running "$X"
tr_wait_for 30 test -s "$RESULTS/$X/result.part"
tr_mysql -e "KILL $(field "$X" db_thread_id)"
tr_wait_for 30 is_final "$X"
tr_check "a statement that dies mid-stream: ERROR" phase_is "$X" ERROR
tr_check "... with the database's reason" says "$X" 'connection was lost'
tr_check "... and status 503" test "$(field "$X" error_status)" = 503
tr_check "... without the partial VOTable" no_files "$X"

# PHASE=ABORT from elsewhere (the store's conditional UPDATE; the KILL QUERY is left out here): the
# executor sees the phase within EXECUTOR_PHASE_CHECK_MS, stops and records nothing.
new_job 600 "$LONG" csv 10000000
A=$J
tr_wait_for 30 is_running "$A"
tr_wait_for 30 test -s "$RESULTS/$A/result.part"
uws -e "UPDATE uws_job SET phase = 'ABORTED', end_ms = $NOW WHERE job_id = '$A'"
tr_wait_for 10 grep -q "req=$A job aborted or deleted while running" "$LOG"
tr_check "an aborted job stops within a second or so" grep -q "req=$A job aborted or deleted while running" "$LOG"
tr_check "... stays ABORTED, with nothing recorded" test "$(field "$A" 'phase, error_msg, result_type')" = "ABORTED	NULL	NULL"
tr_check "... and leaves no files" no_files "$A"

# ---- a killed executor ------------------------------------------------------------------------------
new_job 120 "$SLOW"
K=$J
tr_wait_for 30 is_running "$K"
first=$(executor_pid "$K")
kill -KILL "$first"
tr_wait_for 30 sh -c "grep -q 're-queued 1 job whose executor died' '$LOG'"
tr_check "the housekeeper re-queues the job of a killed executor" grep -q 're-queued 1 job whose executor died' "$LOG"
tr_check "the master logs the dead executor by role" grep -q "executor [0-9]* (pid $first) killed by signal 9" "$LOG"
tr_wait_for 30 sh -c "[ \"\$(mariadb --no-defaults -S '$TR_DB_SOCKET' -uroot -N -e \"SELECT attempt FROM taproom_uws.uws_job WHERE job_id = '$K' AND phase = 'EXECUTING' AND db_thread_id IS NOT NULL\")\" = 2 ]"
tr_check "a new executor claims it again (attempt 2)" test "$(field "$K" 'phase, attempt')" = "EXECUTING	2"
second=$(executor_pid "$K")
tr_check "... another process" test "$second" != "$first"
kill -KILL "$second"
tr_wait_for 30 is_final "$K"
tr_check "killed again, past max_requeues (1): ERROR, not EXECUTING" phase_is "$K" ERROR
tr_check "... saying the executor stopped" says "$K" 'executor running this job stopped'
kill_slow

# ---- destruction ----------------------------------------------------------------------------------
N=$((N + 1))
D=$(printf 'e%031d' "$N")
uws -e "INSERT INTO uws_job (job_id, phase, creation_ms, destruction_ms, execution_duration, end_ms, result_type, result_rows, result_bytes)
	VALUES ('$D', 'COMPLETED', $NOW - 7200000, $NOW - 1000, 60, $NOW - 3600000, 'text/csv', 1, 4)"
mkdir -p "$RESULTS/$D"
printf 'a\n1\n' >"$RESULTS/$D/result"
tr_wait_for 10 gone "$D"
tr_check "an expired job is destroyed" gone "$D"
tr_wait_for 5 test ! -e "$RESULTS/$D"
tr_check "... with its files" test ! -e "$RESULTS/$D"
tr_check "... and no parameters left behind" test "$(uws -e "SELECT COUNT(*) FROM uws_parameter WHERE job_id = '$D'")" = 0
new_job 120 "$SLOW" votable "" 4
E=$J
tr_wait_for 30 is_running "$E"
tr_wait_for 15 gone "$E"
tr_check "a running job past its destruction time is destroyed" gone "$E"
tr_wait_for 10 no_slow_running || true
tr_check "... and its statement is killed" no_slow_running
tr_wait_for 5 test ! -e "$RESULTS/$E"
tr_check "... and its directory removed" test ! -e "$RESULTS/$E"
tr_check "destruction is logged" grep -q 'destroyed 1 expired job' "$LOG"

# ---- the results directory ------------------------------------------------------------------------
mv "$RESULTS" "$RESULTS.away"
new_job 60 'SELECT TOP 3 id FROM tr_test.big' csv
M=$J
tr_wait_for 30 is_final "$M"
mv "$RESULTS.away" "$RESULTS"
tr_check "a missing results_dir: ERROR naming it" says "$M" "results_dir $RESULTS does not exist"
tr_check "... not created behind the operator's back" no_files "$M"

# A full disk: a 64 KiB tmpfs over results_dir (needs root; skipped otherwise).
if [ "$(id -u)" = 0 ] && mount -t tmpfs -o size=64k tmpfs "$RESULTS" 2>/dev/null; then
	trap 'rc=$?; umount "$RESULTS" 2>/dev/null; (exit $rc); tr_cleanup' EXIT
	new_job 60 'SELECT id, x, label FROM tr_test.big ORDER BY id' csv 1000000
	F=$J
	tr_wait_for 30 is_final "$F"
	tr_check "a full disk: ERROR with the reason" says "$F" 'cannot write the result: No space left on device'
	tr_check "... and no partial file" no_files "$F"
	tr_check "... the job's directory holds nothing (uploads would stay until destruction)" \
		sh -c "[ -z \"\$(ls -A '$RESULTS/$F' 2>/dev/null)\" ]"
	new_job 60 'SELECT TOP 3 id FROM tr_test.big' csv
	tr_wait_for 30 is_final "$J"
	tr_check "a small result still fits afterwards" phase_is "$J" COMPLETED
	umount "$RESULTS"
	trap tr_cleanup EXIT
else
	tr_log "not root or no tmpfs: the full-disk check is skipped"
fi

# ---- reload -----------------------------------------------------------------------------------------
old=$(grep -o 'executor\[[0-9]*\].*executor [0-9]* ready' "$LOG" | tail -n 1 | sed 's/^executor\[\([0-9]*\)\].*/\1/')
kill -HUP "$TR_MASTER_PID"
tr_wait_for 10 sh -c "! kill -0 $old 2>/dev/null"
tr_check "a reload replaces the executor" sh -c "! kill -0 $old 2>/dev/null"
new_job 60 'SELECT TOP 2 id FROM tr_test.big' csv
tr_wait_for 30 is_final "$J"
tr_check "and the new one runs jobs" phase_is "$J" COMPLETED

# ---- SIGTERM with a job in hand -------------------------------------------------------------------
new_job 600 "$LONG" csv 10000000
G=$J
tr_wait_for 30 is_running "$G"
pid=$(executor_pid "$G")
# Frozen, the executor cannot finish before it sees the signal the master passes on.
kill -STOP "$pid"
kill -TERM "$TR_MASTER_PID"
sleep 0.5
kill -CONT "$pid"
wait "$TR_MASTER_PID" && rc=0 || rc=$?
tr_untrack "$TR_MASTER_PID"
tr_check "the master stops (exit 0) with a job in hand" test "$rc" = 0
tr_check "the job is given back: QUEUED" phase_is "$G" QUEUED
tr_check "... and logged" grep -q "req=$G stopping: job given back to the queue" "$LOG"
tr_check "... without a partial file" no_files "$G"
tr_start_taproom
tr_wait_for 120 is_final "$G"
tr_check "after a restart the job runs to completion" test "$(field "$G" 'phase, result_rows, attempt')" = "COMPLETED	5000000	2"
tr_check "... with its whole result" test "$(lines "$RESULTS/$G/result")" = 5000001

tr_check "no job is left EXECUTING" test "$(uws -e "SELECT COUNT(*) FROM uws_job WHERE phase = 'EXECUTING'")" = 0
tr_finish
