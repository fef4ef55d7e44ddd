#!/bin/sh
# The UWS job store (issue 7) against a real MariaDB: runs tests/unit/test_uws_store as the
# taproom_uws account with the configuration tr_write_config writes (so uws_store_db_params reads
# the real uws section), then checks that taproom-admin init creates the job tables in a database
# of its own, idempotently, and gives the UWS account exactly the write access the store needs.
. "$(dirname "$0")/setup.sh"
ADMIN=$top_builddir/taproom-admin

tr_start_mariadb
tr_write_config

tr_check "the job store against MariaDB (test_uws_store)" \
	env TR_TEST_DB_SOCKET="$TR_DB_SOCKET" TR_TEST_CONFIG="$TR_STATE/taproom.conf" \
	"$top_builddir/tests/unit/test_uws_store"

# ---- taproom-admin init: the job database ---------------------------------------------------------
sed 's/name = "taproom_uws";/name = "uws_fresh";/' "$TR_STATE/taproom.conf" >"$TR_STATE/fresh.conf"
AS_ROOT="--config $TR_STATE/fresh.conf --user root --socket $TR_DB_SOCKET"
tr_mysql <"$top_srcdir/sql/tap_schema.sql"
tr_check "taproom-admin init creates the job database" sh -c "'$ADMIN' $AS_ROOT init >'$TR_STATE/init.out' 2>&1"
tr_check "and says so" grep -q "the async job tables are in place in \`uws_fresh\`" "$TR_STATE/init.out"
tr_check "and reports the grant" grep -q "granted SELECT, INSERT, UPDATE, DELETE on \`uws_fresh\`.\* to 'taproom_uws'@'localhost'" "$TR_STATE/init.out"
tr_check "taproom-admin init again succeeds (idempotent)" "$ADMIN" $AS_ROOT -q init
tr_check "both job tables exist" test "$(tr_mysql -e "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'uws_fresh'")" = 2
fails() { ! "$@" 2>/dev/null; }
uws() { mariadb --no-defaults -S "$TR_DB_SOCKET" -utaproom_uws -p"$TR_DB_PASSWORD" --batch --skip-column-names uws_fresh "$@"; }
tr_check "the UWS account may write the job tables" uws -e "INSERT INTO uws_job (job_id, phase, creation_ms, destruction_ms, execution_duration) VALUES ('0123456789abcdef0123456789abcdef', 'PENDING', 1, 2, 3); UPDATE uws_job SET phase = 'QUEUED'; DELETE FROM uws_job"
tr_check "but not change their definition" fails uws -e 'DROP TABLE uws_job'
tr_check "the query account may not read them" \
	fails mariadb --no-defaults -S "$TR_DB_SOCKET" -utaproom -p"$TR_DB_PASSWORD" -e 'SELECT 1 FROM uws_fresh.uws_job'
sed 's/user = "taproom_uws";/user = "nobody_here";/' "$TR_STATE/fresh.conf" >"$TR_STATE/nouser.conf"
rc=0; "$ADMIN" --config "$TR_STATE/nouser.conf" --user root --socket "$TR_DB_SOCKET" -q init 2>"$TR_STATE/nouser.err" || rc=$?
tr_check "init with a missing UWS account exits 1" test "$rc" -eq 1
tr_check "naming the account and what to do" grep -q 'no database account "nobody_here" to grant SELECT, INSERT, UPDATE, DELETE to (create it' "$TR_STATE/nouser.err"
tr_check "--no-grant skips the grant" "$ADMIN" --config "$TR_STATE/nouser.conf" --user root --socket "$TR_DB_SOCKET" -q --no-grant init

tr_finish
