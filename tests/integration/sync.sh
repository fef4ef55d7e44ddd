#!/bin/sh
# /sync end to end: a real MariaDB, nginx and taproom; every output format checked against the
# database with independent readers (xmllint + the VOTable 1.4 schema, STILTS votlint, Python's
# expat, astropy, Python's csv), pyvo's run_sync, DALI parameter rules and the error documents.
. "$(dirname "$0")/setup.sh"
tr_need curl curl
tr_need xmllint libxml2-utils
PY=/usr/bin/python3
$PY -c 'import astropy, pyvo' 2>/dev/null || tr_skip "python3-astropy / python3-pyvo not installed"
command -v stilts >/dev/null 2>&1 || tr_skip "stilts not installed"

tr_start_mariadb
tr_mysql <"$top_srcdir/sql/tap_schema.sql"
tr_mysql <"$top_srcdir/tests/integration/data/alltypes.sql"
TR_WORKERS=2 tr_write_config "limits = { maxrec_default = 4; maxrec_max = 5; query_timeout = 2; };"
tr_start_taproom
tr_start_nginx
SYNC=$TR_URL/sync

# The database's own view of the rows, for the comparisons.
tr_mysql --xml -e "SELECT id, c_tinyint, c_smallint, c_int, c_bigint, CAST(c_float AS DOUBLE) AS c_float,
	c_double, c_decimal, HEX(c_char) AS c_char, HEX(c_varchar) AS c_varchar, HEX(c_text) AS c_text, c_date, c_datetime, c_timestamp, c_bool,
	HEX(c_blob) AS c_blob, \`dec\` FROM tr_test.alltypes ORDER BY id" >"$TR_STATE/ref.xml"
Q='SELECT * FROM tr_test.alltypes ORDER BY id'

query() { # query OUTFILE [curl args]: POSTs Q (urlencoded); status in $TR_STATE/status
	out=$1; shift
	curl -sS -o "$out" -w '%{http_code}' "$@" "$SYNC" >"$TR_STATE/status" || echo 000 >"$TR_STATE/status"
}

VOT14=$(tr_schema VOTable1.4)
vot_valid() { xmllint --nonet --noout --schema "$VOT14" "$1" 2>"$TR_STATE/xmllint.out" || { cat "$TR_STATE/xmllint.out"; return 1; }; }
votlint() { stilts votlint votable="$1" >"$TR_STATE/votlint.out" 2>&1 && ! grep -q '^ERROR' "$TR_STATE/votlint.out" || { cat "$TR_STATE/votlint.out"; return 1; }; }
expat_ok() { $PY -c 'import sys, xml.parsers.expat as E; p = E.ParserCreate(); p.ParseFile(open(sys.argv[1], "rb"))' "$1"; }
compare() { $PY "$top_srcdir/tests/integration/tap_compare.py" "$@"; }
status_is() { s=$(tr_status); [ "$s" = "$1" ] || { echo "HTTP status $s, expected $1"; return 1; }; }

# ---- every format, exact values --------------------------------------------------------------
for fmt in votable 'application/x-votable+xml;serialization=BINARY2' csv tsv; do
	f=$TR_STATE/res.$(echo "$fmt" | tr -c 'a-z0-9\n' '_')
	query "$f" --data-urlencode "QUERY=$Q" -d LANG=ADQL -d MAXREC=1000 --data-urlencode "RESPONSEFORMAT=$fmt"
	tr_check "[$fmt] HTTP 200" status_is 200
	case $fmt in
	*votable*)
		tr_check "[$fmt] valid against the VOTable 1.4 schema" vot_valid "$f"
		tr_check "[$fmt] STILTS votlint finds no error" votlint "$f"
		tr_check "[$fmt] parses with expat" expat_ok "$f"
		tr_check "[$fmt] astropy reads the database's values" compare votable "$f" "$TR_STATE/ref.xml"
		;;
	*) tr_check "[$fmt] values equal the database's" compare "$fmt" "$f" "$TR_STATE/ref.xml" ;;
	esac
done
query "$TR_STATE/ct" --data-urlencode "QUERY=$Q" -d FORMAT=csv -D "$TR_STATE/headers"
tr_check "FORMAT is an alias of RESPONSEFORMAT (text/csv)" grep -qi '^Content-Type: text/csv' "$TR_STATE/headers"
curl -sS -G -o "$TR_STATE/get.xml" -w '%{http_code}' --data-urlencode "query=$Q" --data lang=ADQL --data maxrec=10 "$SYNC" >"$TR_STATE/status"
tr_check "GET works, parameter names are case-insensitive" status_is 200
tr_check "GET gives the same rows" compare votable "$TR_STATE/get.xml" "$TR_STATE/ref.xml"
query "$TR_STATE/mp.xml" -F "QUERY=$Q" -F LANG=ADQL -F REQUEST=doQuery -F MAXREC=10
tr_check "multipart/form-data POST works (REQUEST=doQuery accepted)" status_is 200
tr_check "multipart POST gives the same rows" compare votable "$TR_STATE/mp.xml" "$TR_STATE/ref.xml"

# ---- metadata --------------------------------------------------------------------------------
f=$TR_STATE/meta.xml
query "$f" --data-urlencode "QUERY=SELECT id, c_float, \"dec\" AS d FROM tr_test.alltypes WHERE id = 1" -d RUNID=run-42
tr_check "FIELD has unit and UCD from TAP_SCHEMA" grep -q 'name="c_float".*unit="mag"' "$f"
tr_check "an alias names the column" grep -q '<FIELD[^>]*name="d"' "$f"
tr_check "a column named dec works" grep -q 'ucd="pos.eq.dec"' "$f"
tr_check "QUERY_STATUS OK before the table" grep -q '<INFO name="QUERY_STATUS" value="OK"' "$f"
tr_check "RUNID is echoed" grep -q 'name="RUNID" value="run-42"' "$f"

# ---- MAXREC and overflow ---------------------------------------------------------------------
f=$TR_STATE/over.xml
query "$f" --data-urlencode "QUERY=$Q" -d MAXREC=2
tr_check "MAXREC=2 gives 2 rows" test "$(grep -c '<TR>' "$f")" -eq 2
tr_check "and an OVERFLOW INFO after the table" sh -c "sed -n '/<\/TABLE>/,\$p' '$f' | grep -q 'value=\"OVERFLOW\"'"
tr_check "the overflow document is valid" vot_valid "$f"
query "$f" --data-urlencode "QUERY=$Q" -d MAXREC=0
tr_check "MAXREC=0 gives the metadata only" sh -c "grep -q '<FIELD' '$f' && ! grep -q '<TR>' '$f'"
query "$f" --data-urlencode "QUERY=$Q"
tr_check "without MAXREC the default (4) applies, with OVERFLOW" sh -c "test \$(grep -c '<TR>' '$f') -eq 4 && grep -q OVERFLOW '$f'"
query "$f" --data-urlencode "QUERY=SELECT a.id FROM tr_test.alltypes a, tr_test.alltypes b" -d MAXREC=100000
tr_check "the hard limit (5) caps a larger MAXREC, with OVERFLOW" sh -c "test \$(grep -c '<TR>' '$f') -eq 5 && grep -q OVERFLOW '$f'"
query "$f" --data-urlencode "QUERY=SELECT TOP 2 * FROM tr_test.alltypes" -d MAXREC=3
tr_check "TOP below MAXREC: no overflow" sh -c "test \$(grep -c '<TR>' '$f') -eq 2 && ! grep -q OVERFLOW '$f'"

# ---- errors ----------------------------------------------------------------------------------
err_doc() { # err_doc STATUS PATTERN: the last answer is a VOTable error document with STATUS
	# whose QUERY_STATUS message (not the echoed query) matches PATTERN
	status_is "$1" && vot_valid "$TR_STATE/e.xml" &&
		tr -d '\n' <"$TR_STATE/e.xml" | grep -o '<INFO name="QUERY_STATUS" value="ERROR">[^<]*</INFO>' |
		grep -q "$2" || { echo "--- error document:"; cat "$TR_STATE/e.xml"; return 1; }
}
query "$TR_STATE/e.xml" --data-urlencode "QUERY=SELECT id FORM tr_test.alltypes"
tr_check "syntax error: 400 with line and column" err_doc 400 "line 1, column 11: expected FROM, found"
query "$TR_STATE/e.xml" --data-urlencode "QUERY=SELECT nope FROM tr_test.alltypes"
tr_check "unknown column: 400 naming it" err_doc 400 "nope"
query "$TR_STATE/e.xml" --data-urlencode 'QUERY=SELECT * FROM mysql."user"'
tr_check "unpublished table: 400" err_doc 400 "unknown table"
query "$TR_STATE/e.xml" --data-urlencode "QUERY=SELECT * FROM information_schema.tables"
tr_check "information_schema is not reachable" err_doc 400 "unknown table .*information_schema.tables"
query "$TR_STATE/e.xml" -d LANG=SQL --data-urlencode "QUERY=$Q"
tr_check "LANG=SQL: 400" err_doc 400 "LANG"
query "$TR_STATE/e.xml" -d LANG=ADQL
tr_check "no QUERY: 400" err_doc 400 "QUERY"
query "$TR_STATE/e.xml" --data-urlencode "QUERY=$Q" -d RESPONSEFORMAT=fits
tr_check "unknown RESPONSEFORMAT: 400" err_doc 400 "fits"
query "$TR_STATE/e.xml" --data-urlencode "QUERY=$Q" -d MAXREC=-1
tr_check "bad MAXREC: 400" err_doc 400 "MAXREC"
query "$TR_STATE/e.xml" --data-urlencode "QUERY=$Q" -d MAXREC=1 -d MAXREC=2
tr_check "conflicting repeated MAXREC: 400" err_doc 400 "MAXREC"
query "$TR_STATE/e.xml" --data-urlencode "QUERY=SELECT 'caf$(printf '\351')' FROM tr_test.alltypes"
tr_check "invalid UTF-8 in the query: 400" err_doc 400 "UTF-8"
query "$TR_STATE/e.xml" --data-urlencode "QUERY=$Q" -d RESPONSEFORMAT=csv -d LANG=ADQL-3
tr_check "errors are VOTables even when CSV was asked for" err_doc 400 "LANG"

# The statement time limit (2 s here) is enforced by the database.
query "$TR_STATE/e.xml" --data-urlencode "QUERY=SELECT COUNT(*) FROM tr_test.alltypes a, tr_test.alltypes b, tr_test.alltypes c, tr_test.alltypes d, tr_test.alltypes e, tr_test.alltypes f, tr_test.alltypes g, tr_test.alltypes h, tr_test.alltypes i, tr_test.alltypes j, tr_test.alltypes k, tr_test.alltypes l, tr_test.alltypes m, tr_test.alltypes n" -d MAXREC=1
tr_check "a query over its time limit ends with a clear error" err_doc 500 "time limit"

# ---- pyvo ------------------------------------------------------------------------------------
cat >"$TR_STATE/pyvo_check.py" <<'PY'
import sys, pyvo
svc = pyvo.dal.TAPService(sys.argv[1])
t = svc.run_sync("SELECT id, c_varchar, \"dec\" FROM tr_test.alltypes WHERE id IN (1, 3) ORDER BY id", maxrec=10).to_table()
assert list(t['id']) == [1, 3], t
assert t['dec'][0] == -45.5 and t['dec'].unit == 'deg', t
assert t['c_varchar'][1].startswith('tab\tnl\ncr'), repr(t['c_varchar'][1])
r = svc.run_sync("SELECT * FROM tr_test.alltypes", maxrec=2)
assert len(r) == 2 and r.query_status == 'OVERFLOW', r.query_status
try:
    svc.run_sync("SELECT nope FROM tr_test.alltypes")
    raise SystemExit("no error for a bad query")
except pyvo.dal.DALQueryError as e:
    assert 'nope' in str(e), str(e)
b2 = svc.run_sync("SELECT id, c_double FROM tr_test.alltypes ORDER BY id", maxrec=10,
                  RESPONSEFORMAT="application/x-votable+xml;serialization=BINARY2").to_table()
assert list(b2['id']) == [1, 2, 3, 4, 5] and b2['c_double'][0] == 0.1, b2
print("pyvo ok")
PY
tr_check "pyvo run_sync: values, units, overflow and errors" $PY "$TR_STATE/pyvo_check.py" "$TR_URL"

# ---- an error in the middle of a stream -------------------------------------------------------
# A slow client keeps the result streaming; the query's connection is killed from outside.
kill_midstream() { # kill_midstream FORMAT OUTFILE: prints curl's exit code
	curl -sS --limit-rate 200k -o "$2" --data-urlencode "QUERY=SELECT * FROM tr_test.big ORDER BY id" \
		-d MAXREC=1000000 -d RESPONSEFORMAT="$1" "$SYNC" 2>/dev/null &
	cpid=$!
	tr_wait_for 10 sh -c "test -s '$2'"
	tr_mysql -e "SELECT id FROM information_schema.processlist WHERE user = 'taproom' AND info LIKE '%big%'" >"$TR_STATE/victims"
	for id in $(cat "$TR_STATE/victims"); do tr_mysql -e "KILL $id"; done
	wait "$cpid" && echo 0 || echo $?
}
rm -f "$TR_STATE/taproom.conf"
kill -TERM "$TR_MASTER_PID"; wait "$TR_MASTER_PID" || true; tr_untrack "$TR_MASTER_PID"
# One worker from here on: the TAP_SCHEMA reload below must be seen by the worker that loaded it.
TR_WORKERS=1 tr_write_config "limits = { maxrec_max = 1000000; schema_check_interval = 1; };"
tr_start_taproom
rc=$(kill_midstream votable "$TR_STATE/mid.xml")
tr_check "VOTable: the transfer completes" test "$rc" = 0
tr_check "VOTable: rows were sent before the failure" grep -q '<TR>' "$TR_STATE/mid.xml"
tr_check "VOTable: the document ends with an ERROR INFO after the data" \
	sh -c "sed -n '/<\/TABLE>/,\$p' '$TR_STATE/mid.xml' | grep -q 'value=\"ERROR\"'"
tr_check "VOTable: the truncated document is still valid" vot_valid "$TR_STATE/mid.xml"
tr_check "the log says why" grep -q "query failed after [0-9]* rows: the database connection was lost" "$TR_STATE/taproom.log"
# CSV cannot carry an error: taproom ends the FastCGI connection without its end record.  nginx
# (fastcgi_buffering off) still closes the chunked response normally, so the client cannot tell;
# the log records it.
rc=$(kill_midstream csv "$TR_STATE/mid.csv")
tr_check "CSV: the abnormal end is logged" grep -q "ending the transfer abnormally" "$TR_STATE/taproom.log"
tr_check "the worker reconnects: the next query works" sh -c "curl -sS -o /dev/null -w '%{http_code}' --data-urlencode 'QUERY=SELECT TOP 1 id FROM tr_test.big' '$SYNC' | grep -q 200"

# ---- TAP_SCHEMA changes are picked up without a restart -----------------------------------------
nq() { curl -sS -o "$TR_STATE/new.xml" -w '%{http_code}' --data-urlencode "QUERY=SELECT v FROM tr_test.newtab" "$SYNC"; }
tr_check "an unpublished table is unknown" test "$(nq)" = 400
tr_mysql -e "CREATE TABLE tr_test.newtab (v INT); INSERT INTO tr_test.newtab VALUES (42);
	INSERT INTO TAP_SCHEMA.\`tables\` (schema_name, table_name, table_type) VALUES ('tr_test', 'tr_test.newtab', 'table');
	INSERT INTO TAP_SCHEMA.\`columns\` (table_name, column_name, datatype, column_index) VALUES ('tr_test.newtab', 'v', 'int', 1);"
ok=0
for _ in 1 2 3 4 5 6 7 8 9 10; do
	[ "$(nq)" = 200 ] && { ok=1; break; }
	sleep 0.5
done
tr_check "a newly published table becomes queryable within schema_check_interval" test "$ok" = 1
tr_check "with its rows" grep -q '<TD>42</TD>' "$TR_STATE/new.xml"
tr_check "the reload is logged" grep -q "TAP_SCHEMA changed: reloaded" "$TR_STATE/taproom.log"

# ---- the database goes away ------------------------------------------------------------------
tr_stop_mariadb
query "$TR_STATE/e.xml" --data-urlencode "QUERY=SELECT id FROM tr_test.alltypes"
tr_check "database down: 503 with an error document" err_doc 503 "database"
tr_start_mariadb
query "$TR_STATE/ok.xml" --data-urlencode "QUERY=SELECT id FROM tr_test.alltypes"
tr_check "queries work again once the database is back" status_is 200

tr_finish
