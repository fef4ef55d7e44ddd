#!/bin/sh
# TAP_UPLOAD end to end (issue 8): a real MariaDB, nginx and taproom with one worker.  VOTables of
# every datatype with NULLs (TABLEDATA and BINARY2) are uploaded with curl -F, selected back and
# compared value by value with astropy; a positional cross-match joins an upload with a catalog
# table (checked against the rows and with EXPLAIN); two tables in one request; pyvo run_sync with
# uploads; taplint's UPL stage; every kind of bad upload gives a clear 400/413 error document, after
# which the worker still answers and no temporary table is left in the server.
# UPLOAD=name,URL (upload.allow_urls): refused by default, refused for loopback without
# upload.allow_private_urls, fetched from this nginx for /sync and /async with it; 404, redirect,
# max_bytes and connection errors; https from a second nginx server with a throwaway CA: trusted
# through upload.ca_file, refused without it and for a certificate naming another address.
. "$(dirname "$0")/setup.sh"
tr_need curl curl
PY=/usr/bin/python3
$PY -c 'import astropy, pyvo, numpy' 2>/dev/null || tr_skip "python3-astropy / python3-pyvo / python3-numpy not installed"
tr_need mariadb mariadb-client
CHECK="$PY $top_srcdir/tests/integration/upload_check.py"

tr_start_mariadb
tr_mysql <"$top_srcdir/sql/tap_schema.sql"
. "$top_srcdir/tests/geometry/load.sh"
geo_load_schema
geo_load_cat 20000 42
$CHECK make "$TR_STATE"

# ---- the database side: the query account may do exactly what uploads need --------------------
tq() { mariadb --no-defaults -S "$TR_DB_SOCKET" -utaproom -p"$TR_DB_PASSWORD" --batch --skip-column-names "$@"; }
tr_check "the query account can create, fill and read a temporary table in TAP_UPLOAD" sh -c \
	"[ \"\$(printf '%s\n' 'CREATE TEMPORARY TABLE TAP_UPLOAD.probe (a INT);' 'INSERT INTO TAP_UPLOAD.probe VALUES (41), (1);' \
	'SELECT SUM(a) FROM TAP_UPLOAD.probe;' | mariadb --no-defaults -S '$TR_DB_SOCKET' -utaproom -p'$TR_DB_PASSWORD' --batch --skip-column-names)\" = 42 ]"
tr_check "but no permanent table there" sh -c "! tq_out=\$(echo 'CREATE TABLE TAP_UPLOAD.probe (a INT)' | \
	mariadb --no-defaults -S '$TR_DB_SOCKET' -utaproom -p'$TR_DB_PASSWORD' 2>&1)"
mkdir -p "$TR_STATE/spool"
TR_WORKERS=1 TR_EXECUTORS=1 tr_write_config "upload = { max_bytes = 60000; max_rows = 1000; tmp_dir = \"$TR_STATE/spool\"; };"
sed -i 's/^log_level = "info";$/log_level = "debug";/' "$TR_STATE/taproom.conf"
tr_start_taproom
# Tables for UPLOAD=name,URL, served by the same nginx (a 127.0.0.1 address: allow_private_urls).
mkdir -p "$TR_STATE/files" "$TR_STATE/nginx"
printf 'location /files/ { alias %s/files/; }\nlocation = /moved.xml { return 302 /files/url.xml; }\n' "$TR_STATE" \
	>"$TR_STATE/nginx/extra-files.conf"
# The same files over https: a throwaway CA, a certificate for 127.0.0.1 (IP SAN) on TLS_PORT and
# one for 127.0.0.2 on TLS_BAD_PORT, both issued by that CA (both also name localhost).
tr_need openssl openssl
TLS=$TR_STATE/tls
mkdir -p "$TLS"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=taproom-test-ca -keyout "$TLS/ca.key" -out "$TLS/ca.pem" \
	-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
for name in good:127.0.0.1 bad:127.0.0.2; do
	openssl req -newkey rsa:2048 -nodes -subj "/CN=${name#*:}" -keyout "$TLS/${name%%:*}.key" -out "$TLS/${name%%:*}.csr" \
		2>/dev/null
	printf 'subjectAltName=IP:%s,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' "${name#*:}" >"$TLS/${name%%:*}.ext"
	openssl x509 -req -in "$TLS/${name%%:*}.csr" -CA "$TLS/ca.pem" -CAkey "$TLS/ca.key" -CAcreateserial -days 2 \
		-extfile "$TLS/${name%%:*}.ext" -out "$TLS/${name%%:*}.pem" 2>/dev/null
done
TLS_PORT=$((20000 + $(od -An -N2 -tu2 /dev/urandom) % 40000))
TLS_BAD_PORT=$((TLS_PORT % 59999 + 1))
[ "$TLS_BAD_PORT" -ge 1024 ] || TLS_BAD_PORT=$((TLS_BAD_PORT + 20000))
for name in good:$TLS_PORT bad:$TLS_BAD_PORT; do
	printf 'server { listen 127.0.0.1:%s ssl; ssl_certificate %s; ssl_certificate_key %s; location /files/ { alias %s/files/; } }\n' \
		"${name#*:}" "$TLS/${name%%:*}.pem" "$TLS/${name%%:*}.key" "$TR_STATE"
done >"$TR_STATE/nginx/servers-tls.conf"
tr_start_nginx
SYNC=$TR_URL/sync

up() { # up OUTFILE [curl args]: a multipart POST to /sync; status in $TR_STATE/status
	out=$1; shift
	curl -sS -o "$out" -w '%{http_code}' -F LANG=ADQL "$@" "$SYNC" >"$TR_STATE/status" || echo 000 >"$TR_STATE/status"
}
status_is() { s=$(tr_status); [ "$s" = "$1" ] || { echo "HTTP status $s, expected $1"; head -c 2000 "$2"; return 1; }; }
err_doc() { # err_doc STATUS SUBSTRING: the last answer ($TR_STATE/e.xml) is an error document
	status_is "$1" "$TR_STATE/e.xml" && $CHECK error "$TR_STATE/e.xml" "$2"
}
healthy() { # the single worker still answers, and table t is gone from its session: CREATE
	# TEMPORARY TABLE t again would fail if it were left (MariaDB 10.11 has no server-wide list of
	# temporary tables: INNODB_TEMP_TABLE_INFO is gone, information_schema.TEMPORARY_TABLES is 11.2)
	up "$TR_STATE/h.xml" -F 'QUERY=SELECT COUNT(*) AS n FROM TAP_UPLOAD.t AS t JOIN geo.cat AS c ON c.source_id = t.a' \
		-F UPLOAD=t,param:tbl -F "tbl=@$TR_STATE/one.xml" && status_is 200 "$TR_STATE/h.xml" &&
		grep -q '<TD>1</TD>' "$TR_STATE/h.xml"
}
first_id=$(head -n 1 "$TR_STATE/cat.tsv" | cut -f 1)
printf '<VOTABLE><RESOURCE><TABLE><FIELD name="a" datatype="long"/><DATA><TABLEDATA><TR><TD>%s</TD></TR></TABLEDATA></DATA></TABLE></RESOURCE></VOTABLE>' "$first_id" >"$TR_STATE/one.xml"

# ---- every datatype, TABLEDATA and BINARY2, exact -----------------------------------------------
for ser in td b2; do
	f=$TR_STATE/all_$ser.res.xml
	up "$f" -F 'QUERY=SELECT * FROM TAP_UPLOAD.t ORDER BY id' -F UPLOAD=t,param:tbl -F "tbl=@$TR_STATE/all_$ser.xml"
	tr_check "[$ser] every datatype: HTTP 200" status_is 200 "$f"
	tr_check "[$ser] every value and NULL comes back, with units, UCDs and xtypes" $CHECK compare "$TR_STATE/all_td.xml" "$f"
	for ofmt in 'application/x-votable+xml;serialization=BINARY2' csv; do
		up "$TR_STATE/o.out" -F 'QUERY=SELECT * FROM TAP_UPLOAD.t ORDER BY id' -F UPLOAD=t,param:tbl \
			-F "tbl=@$TR_STATE/all_$ser.xml" -F "RESPONSEFORMAT=$ofmt"
		tr_check "[$ser] and as $ofmt" status_is 200 "$TR_STATE/o.out"
	done
	tr_check "[$ser] CSV: arrays and complex values as numbers, exact" $CHECK csv "$TR_STATE/all_td.xml" "$TR_STATE/o.out"
	f=$TR_STATE/b2.res.xml
	up "$f" -F 'QUERY=SELECT * FROM TAP_UPLOAD.t ORDER BY id' -F UPLOAD=t,param:tbl -F "tbl=@$TR_STATE/all_$ser.xml" \
		-F 'RESPONSEFORMAT=application/x-votable+xml;serialization=BINARY2'
	tr_check "[$ser] the BINARY2 result holds the same values" $CHECK compare "$TR_STATE/all_td.xml" "$f"
done
tr_check "the same name again and again on one worker: each request's table was dropped" healthy
tr_check "no spool file is left" test -z "$(ls -A "$TR_STATE/spool")"
f=$TR_STATE/desc.xml
up "$f" -F 'QUERY=SELECT d AS ra_deg, f FROM TAP_UPLOAD.t WHERE id = 1' -F UPLOAD=t,param:tbl -F "tbl=@$TR_STATE/all_td.xml"
tr_check "FIELD metadata of uploaded columns reaches the output" sh -c \
	"grep -q 'name=\"ra_deg\".*ucd=\"pos.eq.ra\".*unit=\"deg\"' '$f' || grep -q 'name=\"ra_deg\".*unit=\"deg\"' '$f'"
f=$TR_STATE/tu.xml
up "$f" -F 'QUERY=SELECT COUNT(*) AS n FROM tap_upload.T WHERE b = 1' -F UPLOAD=T,param:tbl -F "tbl=@$TR_STATE/all_td.xml"
tr_check "TAP_UPLOAD.name is case-insensitive like any regular identifier" sh -c "grep -q '<TD>1</TD>' '$f'"
up "$TR_STATE/nf.xml" -F 'QUERY=SELECT COUNT(*) AS n FROM TAP_UPLOAD.t' -F UPLOAD=t,param:tbl -F "tbl=<$TR_STATE/all_td.xml"
tr_check "a part sent without a file name works too" sh -c "grep -q '<TD>4</TD>' '$TR_STATE/nf.xml'"

# ---- joins ----------------------------------------------------------------------------------------
f=$TR_STATE/xm.xml
XQ='SELECT m.mid, c.source_id FROM TAP_UPLOAD.mine AS m JOIN geo.cat AS c ON 1 = CONTAINS(POINT(c.ra, c.dec), CIRCLE(m.ra, m.dec, 0.001))'
up "$f" -F "QUERY=$XQ" -F UPLOAD=mine,param:pos -F "pos=@$TR_STATE/pos.xml" -F MAXREC=100000
tr_check "cross-match of an upload with a catalog table: HTTP 200" status_is 200 "$f"
tr_check "it finds every expected pair" $CHECK xmatch "$f" "$TR_STATE"
sql=$(grep 'sql: .*TAP_UPLOAD' "$TR_STATE/taproom.log" | tail -n 1 | sed 's/.*sql: //')
# The temporary table is gone when EXPLAIN runs (another session), so it is explained through a
# permanent copy of the same shape; the catalog side is what matters.
tr_mysql -e "CREATE TABLE geo.mine_copy (mid BIGINT, ra DOUBLE, \`dec\` DOUBLE);
	INSERT INTO geo.mine_copy SELECT source_id, ra, \`dec\` FROM geo.cat LIMIT 200; ANALYZE TABLE geo.mine_copy" >/dev/null
esql=$(printf '%s' "$sql" | sed 's/`TAP_UPLOAD`\.`mine`/`geo`.`mine_copy`/g')
tr_mysql -e "EXPLAIN $esql" >"$TR_STATE/explain.out"
tr_log "EXPLAIN:"; cat "$TR_STATE/explain.out"
tr_check "the cross-match uses an index of geo.cat (range or ref access)" sh -c \
	"grep -P '\tc|\tt' '$TR_STATE/explain.out' | grep -Eq 'range|ref|Range checked for each record'"
f=$TR_STATE/two.xml
up "$f" -F 'QUERY=SELECT COUNT(*) AS n FROM TAP_UPLOAD.a AS a JOIN TAP_UPLOAD.b AS b ON a.id = b.id' \
	--form-string 'UPLOAD=a,param:pa;b,param:pb' -F "pa=@$TR_STATE/all_td.xml" -F "pb=@$TR_STATE/all_b2.xml"
tr_check "two tables in one request (one UPLOAD value)" sh -c "grep -q '<TD>4</TD>' '$f'"
up "$f" -F 'QUERY=SELECT COUNT(*) AS n FROM TAP_UPLOAD.a AS a JOIN TAP_UPLOAD.b AS b ON a.id = b.id' \
	-F 'UPLOAD=a,param:pa' -F 'UPLOAD=b,param:pb' -F "pa=@$TR_STATE/all_td.xml" -F "pb=@$TR_STATE/all_b2.xml"
tr_check "two tables in one request (two UPLOAD parameters)" sh -c "grep -q '<TD>4</TD>' '$f'"
tr_check "pyvo run_sync and run_async with uploads (one table, then two)" $CHECK pyvo "$TR_URL" "$TR_STATE"

# ---- async: the job keeps its uploaded tables until it runs ----------------------------------------
printf '<VOTABLE><RESOURCE><TABLE><FIELD name="a" datatype="int"/><DATA><TABLEDATA><TR><TD>1</TD></TR></TABLEDATA></DATA></TABLE></RESOURCE>\n' >"$TR_STATE/trunc.xml"
RESULTS=$(sed -n 's/^ *results_dir = "\(.*\)";/\1/p' "$TR_STATE/taproom.conf")
for enc in td b2; do
	curl -sS -o /dev/null -w '%{redirect_url}' -F "QUERY=SELECT * FROM TAP_UPLOAD.t ORDER BY id" -F UPLOAD=t,param:tbl \
		-F "tbl=@$TR_STATE/all_$enc.xml" "$TR_URL/async" >"$TR_STATE/job"
	J=$(cat "$TR_STATE/job")
	tr_check "[async $enc] the job keeps the uploaded table as a file" test -f "$RESULTS/${J##*/}/upload-t.vot"
	curl -sS -o /dev/null -d PHASE=RUN "$J/phase"
	curl -sS -o /dev/null "$J?WAIT=30"
	tr_check "[async $enc] the job completes" sh -c "[ \"\$(curl -sS '$J/phase')\" = COMPLETED ]"
	curl -sS -o "$TR_STATE/async_$enc.xml" "$J/results/result"
	tr_check "[async $enc] every value, NULL and FIELD comes back exactly" $CHECK compare "$TR_STATE/all_td.xml" "$TR_STATE/async_$enc.xml"
	curl -sS -o /dev/null -X DELETE "$J"
	tr_check "[async $enc] deleting the job removes its kept upload" test ! -e "$RESULTS/${J##*/}"
done
curl -sS -o "$TR_STATE/async_e.xml" -w '%{http_code}' -F "QUERY=SELECT * FROM TAP_UPLOAD.t" -F UPLOAD=t,param:nosuch "$TR_URL/async" >"$TR_STATE/status"
tr_check "[async] an UPLOAD naming a missing part: 400 at creation, no job" sh -c "[ \"\$(cat '$TR_STATE/status')\" = 400 ]"
curl -sS -o /dev/null -w '%{redirect_url}' -F "QUERY=SELECT * FROM TAP_UPLOAD.t" -F UPLOAD=t,param:tbl \
	-F "tbl=@$TR_STATE/trunc.xml" -F PHASE=RUN "$TR_URL/async" >"$TR_STATE/job"
J=$(cat "$TR_STATE/job")
curl -sS -o /dev/null "$J?WAIT=30"
curl -sS -o "$TR_STATE/async_e.xml" "$J/error"
tr_check "[async] a truncated upload: the job ends in ERROR saying why" sh -c "[ \"\$(curl -sS '$J/phase')\" = ERROR ] && grep -q 'TAP_UPLOAD.t' '$TR_STATE/async_e.xml'"

# ---- errors: each a clear error document, then a healthy worker and no table left ---------------
E=$TR_STATE/e.xml
Q='QUERY=SELECT * FROM TAP_UPLOAD.t'
printf '<VOTABLE><RESOURCE><TABLE><FIELD name="a" datatype="int"/><DATA><TABLEDATA><TR><TD>1</TD></TR></TABLEDATA></DATA></TABLE></RESOURCE></VOTABLE>' >"$TR_STATE/small.xml"
head -c 300 "$TR_STATE/all_td.xml" >"$TR_STATE/cut.xml"
printf '<VOTABLE><RESOURCE><TABLE><FIELD name="a" datatype="int"/><DATA><TABLEDATA><TR><TD>1</TD></TR><TR><TD>x</TD></TR></TABLEDATA></DATA></TABLE></RESOURCE></VOTABLE>' >"$TR_STATE/badval.xml"
printf '<VOTABLE><RESOURCE><TABLE><FIELD name="a b" datatype="int"/><DATA><TABLEDATA><TR><TD>1</TD></TR></TABLEDATA></DATA></TABLE></RESOURCE></VOTABLE>' >"$TR_STATE/badcol.xml"
printf '<VOTABLE><RESOURCE><TABLE><FIELD name="a" datatype="int"/><FIELD name="A" datatype="int"/><DATA><TABLEDATA><TR><TD>1</TD><TD>2</TD></TR></TABLEDATA></DATA></TABLE></RESOURCE></VOTABLE>' >"$TR_STATE/dupcol.xml"
printf 'this is <not xml' >"$TR_STATE/junk.xml"
$PY -c "import sys; sys.stdout.write('<VOTABLE><RESOURCE><TABLE><FIELD name=\"a\" datatype=\"char\" arraysize=\"*\"/><DATA><TABLEDATA>' + '<TR><TD>' + 'x' * 100 + '</TD></TR>' * 1 + ''.join('<TR><TD>%d</TD></TR>' % i for i in range(20000)) + '</TABLEDATA></DATA></TABLE></RESOURCE></VOTABLE>')" >"$TR_STATE/big.xml"
$PY -c "import sys; sys.stdout.write('<VOTABLE><RESOURCE><TABLE><FIELD name=\"a\" datatype=\"int\"/><DATA><TABLEDATA>' + '<TR><TD>1</TD></TR>' * 1001 + '</TABLEDATA></DATA></TABLE></RESOURCE></VOTABLE>')" >"$TR_STATE/rows.xml"

case_err() { # case_err DESCRIPTION STATUS SUBSTRING FILE [UPLOAD]: upload FILE as part tbl
	up "$E" -F "$Q" --form-string "UPLOAD=${5:-t,param:tbl}" -F "tbl=@$4"
	tr_check "$1: $2 error document ($3)" err_doc "$2" "$3"
	tr_check "$1: then the worker is healthy, no temporary table left" healthy
}
case_err "malformed XML" 400 "TAP_UPLOAD.t:1:" "$TR_STATE/junk.xml"
case_err "truncated file" 400 "TAP_UPLOAD.t" "$TR_STATE/cut.xml"
case_err "document without its end" 400 "TAP_UPLOAD.t" "$TR_STATE/trunc.xml"
case_err "a value that is not of its type" 400 "TAP_UPLOAD.t: row 2, column 1 (a)" "$TR_STATE/badval.xml"
case_err "a bad column name" 400 "TAP_UPLOAD.t: column 1" "$TR_STATE/badcol.xml"
case_err "duplicate column names" 400 "both named" "$TR_STATE/dupcol.xml"
case_err "oversized upload" 413 "upload too large: at most 60000 bytes allowed" "$TR_STATE/big.xml"
case_err "too many rows" 413 "at most 1000 rows allowed" "$TR_STATE/rows.xml"
case_err "a part that is missing" 400 "no part named 'nothere'" "$TR_STATE/small.xml" t,param:nothere
case_err "a bad upload table name" 400 "UPLOAD" "$TR_STATE/small.xml" 9t,param:tbl
case_err "a reserved word as table name" 400 "UPLOAD" "$TR_STATE/small.xml" select,param:tbl
case_err "duplicate upload names" 400 "UPLOAD" "$TR_STATE/small.xml" "t,param:tbl;T,param:tbl"
case_err "upload by URL, not enabled (the default)" 400 "the operator has not enabled them" "$TR_STATE/small.xml" \
	"t,http://127.0.0.1/x.xml"
# the second table fails after the first was created: both are dropped
up "$E" -F "$Q" --form-string 'UPLOAD=t,param:ok;u,param:bad' -F "ok=@$TR_STATE/small.xml" -F "bad=@$TR_STATE/badval.xml"
tr_check "a bad second table: 400 naming it" err_doc 400 "TAP_UPLOAD.u: row 2"
tr_check "and the first table is dropped too" healthy
up "$E" -F 'QUERY=SELECT * FROM TAP_UPLOAD.nope' -F 'UPLOAD=t,param:tbl' -F "tbl=@$TR_STATE/small.xml"
tr_check "an unknown TAP_UPLOAD table: 400 naming it" err_doc 400 "unknown table 'TAP_UPLOAD.nope'"
up "$E" -F 'QUERY=SELECT * FROM TAP_UPLOAD.t' -F "tbl=@$TR_STATE/small.xml"
tr_check "TAP_UPLOAD without UPLOAD: 400" err_doc 400 "unknown table 'TAP_UPLOAD.t'"
tr_check "no spool file is left after the errors" test -z "$(ls -A "$TR_STATE/spool")"
# the same name again on the same worker: the earlier tables were really dropped
up "$TR_STATE/again.xml" -F "$Q" -F UPLOAD=t,param:tbl -F "tbl=@$TR_STATE/small.xml"
tr_check "the same upload name works again on the same worker" sh -c "grep -q '<TD>1</TD>' '$TR_STATE/again.xml'"

# ---- taplint --------------------------------------------------------------------------------------
# taplint's UPL stage runs its upload queries on /async and /sync.
if command -v stilts >/dev/null 2>&1; then
	stilts taplint tapurl="$TR_URL" stages='UPL' report=EW >"$TR_STATE/taplint.out" 2>&1 || true
	grep -E '^(E|W)-' "$TR_STATE/taplint.out" | head -n 20 || true
	tr_check "taplint UPL: no errors" sh -c "grep -q 'UPL' '$TR_STATE/taplint.out' && ! grep -E '^E-' '$TR_STATE/taplint.out'"
else
	tr_log "stilts not installed: taplint skipped"
fi

# ---- by URL (upload.allow_urls) ----------------------------------------------------------------------
FILES=http://127.0.0.1:$TR_HTTP_PORT/files
cp "$TR_STATE/small.xml" "$TR_STATE/files/url.xml"
cp "$TR_STATE/big.xml" "$TR_STATE/files/big.xml"
restart() { # restart CONFIG-LINES: taproom again with upload settings
	kill -TERM "$TR_MASTER_PID"; wait "$TR_MASTER_PID" || true; tr_untrack "$TR_MASTER_PID"
	TR_WORKERS=1 TR_EXECUTORS=1 tr_write_config "upload = { max_bytes = 60000; max_rows = 1000; tmp_dir = \"$TR_STATE/spool\"; $1 };"
	tr_start_taproom
}
url_err() { # url_err DESCRIPTION STATUS SUBSTRING URL
	up "$E" -F "$Q" --form-string "UPLOAD=t,$4"
	tr_check "[url] $1: $2 error document ($3)" err_doc "$2" "$3"
}
restart "allow_urls = 1;"
tr_check "[url] /capabilities declares upload-http when enabled" sh -c \
	"curl -sS '$TR_URL/capabilities' | grep -q 'TAPRegExt#upload-http'"
url_err "a loopback address is refused by default" 400 "refusing to fetch $FILES/url.xml: 127.0.0.1 is a loopback address" \
	"$FILES/url.xml"
url_err "so is an IPv6 loopback literal" 400 "::1 is a loopback address" "http://[::1]:$TR_HTTP_PORT/files/url.xml"
url_err "an https loopback address is refused the same way" 400 \
	"refusing to fetch https://127.0.0.1:$TLS_PORT/files/url.xml: 127.0.0.1 is a loopback address" \
	"https://127.0.0.1:$TLS_PORT/files/url.xml"
restart "allow_urls = 1; allow_private_urls = 1; url_timeout = 5;"
up "$TR_STATE/url.res.xml" -F "QUERY=SELECT a FROM TAP_UPLOAD.t" --form-string "UPLOAD=t,$FILES/url.xml"
tr_check "[url] /sync: the fetched table loads and the query returns its row" sh -c \
	"grep -q '<TD>1</TD>' '$TR_STATE/url.res.xml'"
curl -sS -o "$TR_STATE/url.get.xml" -G --data-urlencode "QUERY=SELECT a FROM TAP_UPLOAD.t" \
	--data-urlencode "UPLOAD=t,$FILES/url.xml" --data-urlencode LANG=ADQL "$SYNC"
tr_check "[url] /sync by GET (no multipart body at all)" sh -c "grep -q '<TD>1</TD>' '$TR_STATE/url.get.xml'"
curl -sS -o /dev/null -w '%{redirect_url}' -F "QUERY=SELECT a FROM TAP_UPLOAD.t" --form-string "UPLOAD=t,$FILES/url.xml" \
	"$TR_URL/async" >"$TR_STATE/job"
J=$(cat "$TR_STATE/job")
tr_check "[url] /async: the table is fetched at creation and kept as a file" test -f "$RESULTS/${J##*/}/upload-t.vot"
rm -f "$TR_STATE/files/url.xml.gone"; mv "$TR_STATE/files/url.xml" "$TR_STATE/files/url.xml.gone"
curl -sS -o /dev/null -d PHASE=RUN "$J/phase"
curl -sS -o /dev/null "$J?WAIT=30"
curl -sS -o "$TR_STATE/url.async.xml" "$J/results/result"
tr_check "[url] /async: the job completes with the row (from the kept copy)" sh -c \
	"[ \"\$(curl -sS '$J/phase')\" = COMPLETED ] && grep -q '<TD>1</TD>' '$TR_STATE/url.async.xml'"
curl -sS -o /dev/null -X DELETE "$J"
url_err "a URL answering 404" 400 "the server answered HTTP 404, not 200" "$FILES/url.xml"
mv "$TR_STATE/files/url.xml.gone" "$TR_STATE/files/url.xml"
url_err "a redirect is not followed" 400 "answered HTTP 302 (a redirect), which is not followed" \
	"http://127.0.0.1:$TR_HTTP_PORT/moved.xml"
url_err "a table over upload.max_bytes" 413 "upload too large: at most 60000 bytes allowed" "$FILES/big.xml"
url_err "nothing listening" 400 "127.0.0.1: Connection refused" "http://127.0.0.1:1/t.xml"
# https: the test CA is not in the system's store
HTTPS=https://127.0.0.1:$TLS_PORT/files
url_err "https without upload.ca_file: the test CA is not trusted" 400 \
	"cannot fetch $HTTPS/url.xml: TLS: certificate verify failed (unable to get local issuer certificate)" \
	"$HTTPS/url.xml"
url_err "an https server that talks plain HTTP" 400 "cannot fetch https://127.0.0.1:$TR_HTTP_PORT/files/url.xml: TLS: " \
	"https://127.0.0.1:$TR_HTTP_PORT/files/url.xml"
restart "allow_urls = 1; allow_private_urls = 1; url_timeout = 5; ca_file = \"$TLS/ca.pem\";"
up "$TR_STATE/url.tls.xml" -F "QUERY=SELECT a FROM TAP_UPLOAD.t" --form-string "UPLOAD=t,$HTTPS/url.xml"
tr_check "[url] https with upload.ca_file: the fetched table loads and the query returns its row" sh -c \
	"grep -q '<TD>1</TD>' '$TR_STATE/url.tls.xml'"
up "$TR_STATE/url.tls2.xml" -F "QUERY=SELECT a FROM TAP_UPLOAD.t" \
	--form-string "UPLOAD=t,https://localhost:$TLS_PORT/files/url.xml"
tr_check "[url] https by host name (SNI, DNS name in the certificate): the row comes back" sh -c \
	"grep -q '<TD>1</TD>' '$TR_STATE/url.tls2.xml'"
url_err "https: a certificate for another address (127.0.0.2)" 400 \
	"TLS: certificate verify failed (IP address mismatch)" "https://127.0.0.1:$TLS_BAD_PORT/files/url.xml"
url_err "https: a 404 over TLS" 400 "the server answered HTTP 404, not 200" "$HTTPS/nosuch.xml"
url_err "https: a table over upload.max_bytes" 413 "upload too large: at most 60000 bytes allowed" "$HTTPS/big.xml"
restart "allow_urls = 1; allow_private_urls = 1; ca_file = \"$TLS/nosuch.pem\";"
url_err "an unreadable upload.ca_file" 500 "cannot load upload.ca_file $TLS/nosuch.pem" "$HTTPS/url.xml"
tr_check "[url] then the worker is healthy, no temporary table left" healthy
tr_check "[url] no spool file is left" test -z "$(ls -A "$TR_STATE/spool")"
tr_finish
