#!/bin/sh
# taproom-adql, the command-line translator: exit codes, error positions, each input mode
# (argument, standard input), --parse-only, --schema, --config against a live TAP_SCHEMA, --maxrec
# and the dialects.
. "$(dirname "$0")/setup.sh"
ADQL=$top_builddir/taproom-adql
SCHEMA=$top_srcdir/tests/adql/schema.xml
run() { # run EXPECTED_RC args...: output in $TR_STATE/out, stderr in $TR_STATE/err
	want=$1; shift
	"$ADQL" "$@" >"$TR_STATE/out" 2>"$TR_STATE/err" && rc=0 || rc=$?
	[ "$rc" = "$want" ] || { echo "exit $rc, expected $want"; cat "$TR_STATE/err"; return 1; }
}

tr_check "a valid query translates (exit 0)" run 0 --schema "$SCHEMA" 'SELECT TOP 3 ra, "dec" FROM survey.objects ORDER BY mag'
tr_check "the SQL quotes identifiers and limits rows" grep -q 'LIMIT 3' "$TR_STATE/out"
tr_check "dec is backtick-quoted" grep -q '`dec`' "$TR_STATE/out"
echo 'SELECT COUNT(*) FROM survey.objects' | "$ADQL" --schema "$SCHEMA" >"$TR_STATE/out" 2>&1
tr_check "the query can come on standard input" grep -qi 'count' "$TR_STATE/out"
tr_check "--maxrec asks for one row more" sh -c "'$ADQL' --schema '$SCHEMA' --maxrec 10 'SELECT ra FROM survey.objects' | grep -q 'LIMIT 11'"
tr_check "a syntax error exits 1" run 1 --schema "$SCHEMA" 'SELECT ra FORM survey.objects'
tr_check "with line and column" grep -q 'line 1, column 11: expected FROM' "$TR_STATE/err"
tr_check "an unknown column exits 1" run 1 --schema "$SCHEMA" 'SELECT nope FROM survey.objects'
tr_check "naming it" grep -q "nope" "$TR_STATE/err"
tr_check "--parse-only needs no schema" run 0 --parse-only 'SELECT a FROM b WHERE c BETWEEN 1 AND 2'
tr_check "--parse-only still finds syntax errors" run 1 --parse-only 'SELECT FROM b'
tr_check "a missing schema file is a usage error (exit 2)" run 2 --schema "$TR_STATE/none.xml" 'SELECT 1 FROM x'
tr_check "an unknown option exits 2" run 2 --bogus
tr_check "no mode exits 2" run 2 'SELECT 1 FROM x'
tr_check "the MySQL dialect translates too" run 0 --schema "$SCHEMA" --dialect mysql-8.0.36 'SELECT ra FROM survey.objects'
tr_check "an unknown dialect exits 2" run 2 --schema "$SCHEMA" --dialect oracle 'SELECT ra FROM survey.objects'

# --config: against the TAP_SCHEMA of a live database.
tr_start_mariadb
tr_mysql <"$top_srcdir/sql/tap_schema.sql"
tr_mysql <"$top_srcdir/tests/integration/data/alltypes.sql"
tr_write_config
tr_check "--config resolves against the live TAP_SCHEMA" run 0 --config "$TR_STATE/taproom.conf" 'SELECT c_int, "dec" FROM tr_test.alltypes'
tr_check "and reaches published tables only" run 1 --config "$TR_STATE/taproom.conf" 'SELECT * FROM mysql."user"'
tr_stop_mariadb
tr_check "an unreachable database exits 2" run 2 --config "$TR_STATE/taproom.conf" 'SELECT c_int FROM tr_test.alltypes'

tr_finish
