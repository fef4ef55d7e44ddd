#!/bin/sh
# taproom-admin and taproom-import end to end (issue 6): TAP_SCHEMA set up twice (idempotent) and
# checked; every VOTable datatype imported from TABLEDATA, BINARY2 and BINARY and a CSV file, then
# read back through /sync and compared with the source files by astropy (values, units, UCDs);
# malformed files of every error class fail with file, row and column and leave the database and
# TAP_SCHEMA exactly as they were; --replace, --append and --describe; check finds problems.
. "$(dirname "$0")/setup.sh"
tr_need curl curl
PY=/usr/bin/python3
$PY -c 'import astropy, numpy' 2>/dev/null || tr_skip "python3-astropy not installed"

ADMIN=$top_builddir/taproom-admin
IMPORT=$top_builddir/taproom-import
DATA=$top_srcdir/tests/import
COMPARE="$PY $DATA/compare.py"

tr_start_mariadb
tr_write_config "limits = { schema_check_interval = 0; };"
AS_ROOT="--config $TR_STATE/taproom.conf --user root --socket $TR_DB_SOCKET"

# ---- taproom-admin init / check ------------------------------------------------------------------
ts_sum() { tr_mysql -e "CHECKSUM TABLE TAP_SCHEMA.schemas, TAP_SCHEMA.tables, TAP_SCHEMA.columns, TAP_SCHEMA.\`keys\`, TAP_SCHEMA.key_columns EXTENDED"; }
# without the upload database and grant of the test template, to see init make them
tr_mysql -e "REVOKE CREATE TEMPORARY TABLES ON TAP_UPLOAD.* FROM 'taproom'@'localhost'; DROP DATABASE TAP_UPLOAD"
tr_check "taproom-admin init creates TAP_SCHEMA" "$ADMIN" $AS_ROOT -q init
tr_check "and TAP_UPLOAD, where the query account may create temporary tables (uploads)" sh -c \
	"echo 'CREATE TEMPORARY TABLE TAP_UPLOAD.x (a INT); INSERT INTO TAP_UPLOAD.x VALUES (7); SELECT a FROM TAP_UPLOAD.x;' |
	mariadb --no-defaults -S '$TR_DB_SOCKET' -utaproom -p'$TR_DB_PASSWORD' --batch --skip-column-names | grep -qx 7"
tr_check "init reports that grant" sh -c "'$ADMIN' $AS_ROOT init | grep -q \"granted CREATE TEMPORARY TABLES on \\\`TAP_UPLOAD\\\`.\\* to 'taproom'@'localhost'\""
ts_sum >"$TR_STATE/ts1"
tr_check "taproom-admin init again succeeds" "$ADMIN" $AS_ROOT -q init
ts_sum >"$TR_STATE/ts2"
tr_check "and changes nothing (idempotent)" cmp -s "$TR_STATE/ts1" "$TR_STATE/ts2"
tr_check "TAP_SCHEMA describes itself: 5 tables, 32 columns" \
	test "$(tr_mysql -e "SELECT COUNT(*) FROM TAP_SCHEMA.tables")/$(tr_mysql -e "SELECT COUNT(*) FROM TAP_SCHEMA.columns")" = "5/32"
tr_check "the query account may read TAP_SCHEMA" sh -c "'$ADMIN' $AS_ROOT -q init && mariadb --no-defaults -S '$TR_DB_SOCKET' -utaproom -p'$TR_DB_PASSWORD' -e 'SELECT COUNT(*) FROM TAP_SCHEMA.columns' >/dev/null"
tr_check "taproom-admin check: a fresh TAP_SCHEMA is consistent" "$ADMIN" $AS_ROOT -q check
rc=0; "$ADMIN" $AS_ROOT nonsense 2>/dev/null || rc=$?
tr_check "an unknown command exits 2" test "$rc" -eq 2

# ---- imports --------------------------------------------------------------------------------------
imp() { "$IMPORT" $AS_ROOT -q "$@" >"$TR_STATE/imp.out" 2>&1; }
tr_check "import alltypes.vot (TABLEDATA)" imp "$DATA/alltypes.vot" demo.td
tr_check "import alltypes_b2.vot (BINARY2)" imp "$DATA/alltypes_b2.vot" demo.b2
tr_check "import alltypes_b1.vot (BINARY)" imp "$DATA/alltypes_b1.vot" demo.b1
tr_check "import from standard input" sh -c "'$IMPORT' $AS_ROOT -q - demo.piped <'$DATA/alltypes.vot'"
tr_check "import stars.csv, target from the file name" imp "$DATA/stars.csv" --schema demo
same_rows() { # same_rows T1 T2: identical contents (the tables have identical definitions)
	a=$(tr_mysql -e "CHECKSUM TABLE demo.$1 EXTENDED" | cut -f2); b=$(tr_mysql -e "CHECKSUM TABLE demo.$2 EXTENDED" | cut -f2)
	[ "$a" = "$b" ] || { echo "checksums $a and $b"; return 1; }
}
tr_check "BINARY2 gives the very rows TABLEDATA gives" same_rows td b2
tr_check "standard input gives the same rows" same_rows td piped
tr_check "the table has the primary key and the position indexes" \
	test "$(tr_mysql -e "SELECT GROUP_CONCAT(DISTINCT column_name ORDER BY column_name) FROM information_schema.statistics WHERE table_schema='demo' AND table_name='td'")" = "dec,id,ra"
tr_check "TAP_SCHEMA flags them indexed" \
	test "$(tr_mysql -e "SELECT GROUP_CONCAT(column_name ORDER BY column_name) FROM TAP_SCHEMA.columns WHERE table_name='demo.td' AND indexed=1")" = "dec,id,ra"
tr_check "TAP_SCHEMA has arraysize, xtype and size" \
	test "$(tr_mysql -e "SELECT CONCAT_WS('/', datatype, arraysize, xtype, size) FROM TAP_SCHEMA.columns WHERE table_name='demo.td' AND column_name='pos'")" = "double/2/point/2"
tr_check "TAP_SCHEMA has the table description" \
	test "$(tr_mysql -e "SELECT description FROM TAP_SCHEMA.tables WHERE table_name='demo.td'")" = "All VOTable datatypes & some edge values"
tr_check "the CSV column types were inferred" \
	test "$(tr_mysql -e "SELECT GROUP_CONCAT(CONCAT_WS(':', column_name, datatype, arraysize) ORDER BY column_index) FROM TAP_SCHEMA.columns WHERE table_name='demo.stars'")" \
	= "id:int,ra:double,dec:double,mag:double,big:long,name:char:18*,note:char:9*"
tr_check "no staging table is left" test "$(tr_mysql -e "SELECT COUNT(*) FROM information_schema.tables WHERE table_name LIKE '\\_tr\\_%'")" = 0
tr_check "taproom-admin check: the imported tables are consistent" "$ADMIN" $AS_ROOT -q check

# ---- read back through /sync ------------------------------------------------------------------------
tr_start_taproom
tr_start_nginx
sync() { # sync OUT QUERY [curl args]
	out=$1 q=$2; shift 2
	curl -sS -o "$out" -w '%{http_code}' "$TR_URL/sync" --data-urlencode "QUERY=$q" -d LANG=ADQL "$@" >"$TR_STATE/status"
	[ "$(cat "$TR_STATE/status")" = 200 ] || { cat "$out"; return 1; }
}
for t in td b2; do
	tr_check "[$t] SELECT * through /sync" sync "$TR_STATE/$t.xml" "SELECT * FROM demo.$t ORDER BY id"
	tr_check "[$t] every value, unit and UCD equals alltypes.vot's (astropy)" $COMPARE "$DATA/alltypes.vot" "$TR_STATE/$t.xml"
done
tr_check "[csv] SELECT * through /sync" sync "$TR_STATE/stars.xml" "SELECT * FROM demo.stars ORDER BY id"
tr_check "[csv] every value equals stars.csv's" $COMPARE "$DATA/stars.csv" "$TR_STATE/stars.xml"
tr_check "a cone search uses the imported positions" sync "$TR_STATE/cone.xml" \
	"SELECT id FROM demo.td WHERE 1 = CONTAINS(POINT(ra, dec), CIRCLE(10.5, -20.25, 0.1))"
tr_check "and finds row 1" grep -q '<TD>1</TD>' "$TR_STATE/cone.xml"

# ---- malformed input leaves everything as it was ------------------------------------------------
snapshot() { # everything users can see: schemas, tables and their rows, TAP_SCHEMA, table grants
	tr_mysql -e "SHOW DATABASES"
	for t in $(tr_mysql -e "SELECT CONCAT(table_schema, '.', table_name) FROM information_schema.tables WHERE table_schema NOT IN ('mysql', 'information_schema', 'performance_schema', 'sys') ORDER BY 1"); do
		echo "$t"
		tr_mysql -e "CHECKSUM TABLE $(echo "$t" | sed 's/\([^.]*\)\.\(.*\)/`\1`.`\2`/') EXTENDED"
	done
	tr_mysql -e "SELECT * FROM TAP_SCHEMA.tables ORDER BY table_name; SELECT * FROM TAP_SCHEMA.columns ORDER BY table_name, column_name"
	tr_mysql -e "SELECT user, host, db, table_name, table_priv FROM mysql.tables_priv ORDER BY 1, 2, 3, 4"
}
snapshot >"$TR_STATE/before"
bad() { # bad FILE TARGET EXPECTED-MESSAGE [options]: refused with exit 1, the message, nothing changed
	f=$1 target=$2 expect=$3; shift 3
	rc=0; "$IMPORT" $AS_ROOT -q "$@" "$f" "$target" >"$TR_STATE/bad.out" 2>&1 || rc=$?
	[ "$rc" -eq 1 ] || { echo "exit status $rc"; cat "$TR_STATE/bad.out"; return 1; }
	grep -qF -- "$expect" "$TR_STATE/bad.out" || { echo "message:"; cat "$TR_STATE/bad.out"; echo "expected: $expect"; return 1; }
	snapshot >"$TR_STATE/after"
	diff "$TR_STATE/before" "$TR_STATE/after" || { echo "the database changed"; return 1; }
}
mk() { # mk NAME SED-EXPRESSION: a damaged copy of alltypes.vot
	sed -e "$2" "$DATA/alltypes.vot" >"$TR_STATE/$1.vot"
	cmp -s "$DATA/alltypes.vot" "$TR_STATE/$1.vot" && { echo "mk $1: the expression changed nothing" >&2; exit 1; }
	echo "$TR_STATE/$1.vot"
}
f=$(mk xml 's|<TR><TD>3</TD><TD>0</TD>|<TR><TD>3</TD><TD>0</TR>|')
tr_check "malformed XML: refused with its line and column" bad "$f" demo.td "xml.vot:36:" --replace
tr_check "malformed XML into a new table of a new schema: refused" bad "$f" fresh.t "not well-formed XML (mismatched tag)"
f=$(mk width 's|<TD>2</TD><TD>359.9999999999999</TD>|<TD>2</TD>|')
tr_check "a row with a cell missing: refused with its row" bad "$f" demo.td "width.vot: row 2: 22 cells (TD), 23 expected" --replace
f=$(mk type 's|<TD>-2147483648</TD>|<TD>12abc</TD>|')
tr_check "a value of the wrong type: refused with row and column" bad "$f" demo.td \
	'type.vot: row 2, column 10 (i): "12abc" is not a valid int (line 35)' --replace
f=$(mk datatype 's|name="i" datatype="int"|name="i" datatype="integer"|')
tr_check "an unknown datatype: refused" bad "$f" demo.td 'FIELD "i": unknown datatype "integer"' --replace
f=$(mk inf 's|<TD>1</TD><TD>10.5</TD>|<TD>1</TD><TD>+Inf</TD>|')
tr_check "an infinite double: refused (the database has no infinity)" bad "$f" demo.td \
	"inf.vot: row 1, column 2 (ra): positive infinity cannot be stored" --replace
f=$(mk dupkey 's|<TR><TD>2</TD>|<TR><TD>1</TD>|')
tr_check "a duplicate primary key: refused by the database, rows named" bad "$f" demo.td "Duplicate entry '1'" --replace
f=$(mk colname 's|name="vec"|name="vec tor"|')
tr_check "a column name that is no identifier: refused" bad "$f" demo.td 'column 17: "vec tor" has a character' --replace
f=$(mk time 's|<TD>1999-12-31T23:59:59</TD>|<TD>1999-12-32</TD>|')
tr_check "a timestamp that is no date: refused" bad "$f" demo.td 'row 2, column 15 (t): "1999-12-32" is not a timestamp' --replace
head -n "$(($(wc -l <"$DATA/alltypes_b2.vot") - 6))" "$DATA/alltypes_b2.vot" >"$TR_STATE/cut.vot"
printf '</STREAM></BINARY2></DATA></TABLE></RESOURCE></VOTABLE>\n' >>"$TR_STATE/cut.vot"
tr_check "a truncated BINARY2 stream: refused" bad "$TR_STATE/cut.vot" demo.td "truncated STREAM" --replace
printf 'id,ra,dec,mag,big,name,note\n1,1,1,1,1,a,b\n2,2,2\n' >"$TR_STATE/short.csv"
tr_check "a CSV row with a field missing: refused" bad "$TR_STATE/short.csv" demo.stars "short.csv: row 2: 3 fields, 7 expected (line 3)" --replace
tr_check "a CSV value that does not fit --types: refused" bad "$DATA/stars.csv" demo.stars \
	'stars.csv: row 1, column 5 (big): "5000000000" is not a valid int (line 2)' --replace --types big=int
tr_check "an existing table without --replace: refused" bad "$DATA/alltypes.vot" demo.td "exists: use --replace"
tr_check "TAP_SCHEMA as a target: refused" bad "$DATA/alltypes.vot" TAP_SCHEMA.x "belongs to the database or to TAP_SCHEMA"
tr_check "the service still answers" sync "$TR_STATE/after.xml" "SELECT COUNT(*) AS n FROM demo.td"

# ---- --replace, --append, --describe -----------------------------------------------------------------
sed -e 's|All VOTable datatypes &amp; some edge values|Replaced|' -e '/<TR><TD>4<\/TD>/d' "$DATA/alltypes.vot" >"$TR_STATE/three.vot"
tr_check "--replace with a new version" imp --replace "$TR_STATE/three.vot" demo.td
tr_check "the new rows are served" sync "$TR_STATE/three.xml" "SELECT * FROM demo.td ORDER BY id"
tr_check "and equal the new file" $COMPARE "$TR_STATE/three.vot" "$TR_STATE/three.xml"
tr_check "TAP_SCHEMA has the new description" test "$(tr_mysql -e "SELECT description FROM TAP_SCHEMA.tables WHERE table_name='demo.td'")" = Replaced
tr_check "the old table is gone, no staging table is left" \
	test "$(tr_mysql -e "SELECT COUNT(*) FROM information_schema.tables WHERE table_name LIKE '\\_tr\\_%'")" = 0
sed -e 's/^1,/5,/' -e 's/^2,/6,/' -e 's/^3,/7,/' -e 's/^4,/8,/' "$DATA/stars.csv" >"$TR_STATE/more.csv"
tr_check "--append adds rows" imp --append "$TR_STATE/more.csv" demo.stars
tr_check "to the 4 there were" test "$(tr_mysql -e "SELECT COUNT(*) FROM demo.stars")" = 8

tr_mysql <"$top_srcdir/sql/demo.sql"
"$top_builddir/tools/taproom-gencat" -n 2000 -s 7 >"$TR_STATE/sources.tsv"
tr_mysql --local-infile=1 -e "SET GLOBAL local_infile=1; LOAD DATA LOCAL INFILE '$TR_STATE/sources.tsv' INTO TABLE demo.sources; SET GLOBAL local_infile=0;"
tr_check "--describe publishes an existing table with a metadata VOTable" imp --describe demo.sources "$DATA/demo_sources.vot"
tr_check "units and UCDs come from the FIELDs" \
	test "$(tr_mysql -e "SELECT CONCAT_WS('/', datatype, unit, ucd, indexed) FROM TAP_SCHEMA.columns WHERE table_name='demo.sources' AND column_name='ra'")" = "double/deg/pos.eq.ra;meta.main/1"
tr_check "types come from the database" \
	test "$(tr_mysql -e "SELECT CONCAT_WS('/', datatype, arraysize) FROM TAP_SCHEMA.columns WHERE table_name='demo.sources' AND column_name='name'")" = "char/32*"
n_db=$(tr_mysql -e "SELECT COUNT(*) FROM demo.sources WHERE \`dec\` BETWEEN -30 AND 30")
tr_check "the described table answers ADQL" sync "$TR_STATE/desc.xml" "SELECT COUNT(*) AS n FROM demo.sources WHERE dec BETWEEN -30 AND 30"
tr_check "with the database's count" grep -q "<TD>$n_db</TD>" "$TR_STATE/desc.xml"
tr_check "--describe without a file uses the column comments" imp --describe demo.sources
tr_check "as descriptions" \
	test "$(tr_mysql -e "SELECT description FROM TAP_SCHEMA.columns WHERE table_name='demo.sources' AND column_name='ra'")" = "right ascension (ICRS), deg"
rc=0; "$IMPORT" $AS_ROOT -q --describe demo.nosuch >/dev/null 2>&1 || rc=$?
tr_check "--describe of a missing table exits 1" test "$rc" -eq 1

# ---- an import killed halfway: nothing published; the next import of the table cleans up ---------
{ printf 'id\tra\tdec\tpmra\tpmdec\tparallax\tmag_g\tmag_r\tflag\tname\n'
  "$top_builddir/tools/taproom-gencat" -n 300000 -s 3 | sed 's/\\N//g'; } >"$TR_STATE/big.tsv"
ts_before=$(ts_sum)
head -n 11 "$TR_STATE/big.tsv" >"$TR_STATE/small.tsv"
# small batches: one commit each, so the load lasts well beyond the lock wait below
"$IMPORT" $AS_ROOT -q --batch-bytes 4096 "$TR_STATE/big.tsv" demo.big >/dev/null 2>&1 &
imp_pid=$!
loading() { [ "$(tr_mysql -e "SELECT COUNT(*) FROM information_schema.tables WHERE table_name LIKE '\\_tr\\_new\\_big%'")" = 1 ]; }
tr_wait_for 60 loading
rc=0; "$IMPORT" $AS_ROOT -q "$TR_STATE/small.tsv" demo.big >"$TR_STATE/lock.out" 2>&1 || rc=$?
tr_check "a second import of the same table waits, then gives up" \
	sh -c "[ $rc -eq 1 ] && grep -q 'another import of demo.big is running' '$TR_STATE/lock.out'"
kill -KILL "$imp_pid" 2>/dev/null
wait "$imp_pid" 2>/dev/null && killed=no || killed=yes
tr_check "an import killed while loading (kill -9)" test "$killed" = yes
tr_check "published nothing: no table, TAP_SCHEMA unchanged" \
	test "$(tr_mysql -e "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema='demo' AND table_name='big'")/$(ts_sum)" = "0/$ts_before"
# (the server may still be finishing the dead client's last INSERT, holding its lock a moment)
tr_check "the next import of the table succeeds" tr_wait_for 60 imp --types id=long "$TR_STATE/small.tsv" demo.big
tr_check "and removed what the killed one left" \
	test "$(tr_mysql -e "SELECT COUNT(*) FROM information_schema.tables WHERE table_name LIKE '\\_tr\\_%'")/$(tr_mysql -e "SELECT COUNT(*) FROM demo.big")" = "0/10"

# ---- check finds what is wrong -----------------------------------------------------------------
tr_mysql -e "ALTER TABLE demo.stars DROP COLUMN note; ALTER TABLE demo.b1 MODIFY i BIGINT"
rc=0; "$ADMIN" $AS_ROOT -q check >"$TR_STATE/check.out" 2>&1 || rc=$?
tr_check "check exits 1 on problems" test "$rc" -eq 1
tr_check "and names the missing column" grep -q "column demo.stars.note: demo.stars has no column note" "$TR_STATE/check.out"
tr_check "and the incompatible type" grep -q "column demo.b1.i: declared int, but the column is bigint" "$TR_STATE/check.out"

tr_finish
