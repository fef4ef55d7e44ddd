#!/bin/sh
# The command line and the configuration file: validation messages with file, line and setting,
# exit codes, environment overrides.
. "$(dirname "$0")/setup.sh"

cfg=$TR_STATE/bad.conf
printf 'workers = 4;\n\nworkers_typo = 2;\n' >"$cfg"
out=$("$TAPROOM" --check-config -c "$cfg" 2>&1) && rc=0 || rc=$?
tr_check "unknown setting exits 2" test "$rc" = 2
tr_check "unknown setting is named with file and line ($out)" sh -c "echo \"\$1\" | grep -q \"$cfg:3: unknown setting 'workers_typo'\"" _ "$out"

printf 'listen = "/tmp/x.sock";\nworkers = 0;\n' >"$cfg"
out=$("$TAPROOM" --check-config -c "$cfg" 2>&1) && rc=0 || rc=$?
tr_check "out-of-range value exits 2" test "$rc" = 2
tr_check "out-of-range message names file, line and setting ($out)" sh -c "echo \"\$1\" | grep -q \"$cfg:2: setting 'workers'\"" _ "$out"

printf 'database = { port = "abc"; };\n' >"$cfg"
out=$("$TAPROOM" --check-config -c "$cfg" 2>&1) && rc=0 || rc=$?
tr_check "a non-number exits 2 ($out)" sh -c "test $rc = 2 && echo \"\$1\" | grep -q \"setting 'database.port'\"" _ "$out"

printf 'workers = 4;\nlisten = ;\n' >"$cfg"
out=$("$TAPROOM" --check-config -c "$cfg" 2>&1) && rc=0 || rc=$?
tr_check "a syntax error exits 2 with the line ($out)" sh -c "test $rc = 2 && echo \"\$1\" | grep -q \"$cfg:2\"" _ "$out"

out=$("$TAPROOM" --check-config -c "$TR_STATE/missing.conf" 2>&1) && rc=0 || rc=$?
tr_check "a missing file exits 2 ($out)" test "$rc" = 2

out=$(TAPROOM_WORKERS=many "$TAPROOM" --check-config -c "$top_srcdir/conf/taproom.conf" 2>&1) && rc=0 || rc=$?
tr_check "a bad environment override is named ($out)" sh -c "test $rc = 2 && echo \"\$1\" | grep -q TAPROOM_WORKERS" _ "$out"

tr_check "the example configuration is valid" "$TAPROOM" --check-config -c "$top_srcdir/conf/taproom.conf"
tr_check "--version prints the version" sh -c "'$TAPROOM' --version | grep -Eq '^taproom [0-9]+\.[0-9]+'"
tr_check "--help lists the settings" sh -c "'$TAPROOM' --help | grep -q TAPROOM_DB_HOST"
"$TAPROOM" --bogus >/dev/null 2>&1 && rc=0 || rc=$?
tr_check "an unknown option exits 2" test "$rc" = 2

# Environment overrides reach the running service: TAPROOM_WORKERS beats the file.
tr_start_mariadb
TR_WORKERS=2 tr_write_config
TAPROOM_WORKERS=3 tr_start_taproom
tr_wait_for 10 sh -c "test \$(pgrep -P $TR_MASTER_PID | wc -l) -eq 3"
tr_check "TAPROOM_WORKERS=3 gives 3 workers" test "$(tr_worker_count)" -eq 3
kill -TERM "$TR_MASTER_PID"; wait "$TR_MASTER_PID" || true; tr_untrack "$TR_MASTER_PID"
tr_start_taproom --workers 1
tr_wait_for 10 sh -c "test \$(pgrep -P $TR_MASTER_PID | wc -l) -eq 1"
tr_check "--workers 1 gives 1 worker" test "$(tr_worker_count)" -eq 1
kill -TERM "$TR_MASTER_PID"; wait "$TR_MASTER_PID" && rc=0 || rc=$?
tr_untrack "$TR_MASTER_PID"
tr_check "the master exits 0 on SIGTERM" test "$rc" = 0
tr_check "the socket is removed on exit" test ! -e "$TR_SOCKET"

tr_finish
