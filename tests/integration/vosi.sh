#!/bin/sh
# VOSI /capabilities and /tables (with detail=min and /tables/NAME) and the DALI /examples page end to
# end: a real MariaDB with TAP_SCHEMA and the demo catalog, nginx and taproom.  The documents are
# validated with xmllint against the IVOA schemas from the Debian stilts jars (a driver schema and an
# XML catalog in the state directory keep xmllint offline), every example query runs through /sync,
# STILTS taplint checks the metadata stages, and pyvo reads the tables and capabilities.
. "$(dirname "$0")/setup.sh"
tr_need curl curl
tr_need xmllint libxml2-utils
PY=/usr/bin/python3
$PY -c 'import pyvo' 2>/dev/null || tr_skip "python3-pyvo not installed"
command -v stilts >/dev/null 2>&1 || tr_skip "stilts not installed"

tr_start_mariadb
tr_mysql <"$top_srcdir/sql/tap_schema.sql"
tr_mysql <"$top_srcdir/sql/demo.sql"
tr_mysql <"$top_srcdir/sql/demo_tap_schema.sql"
"$top_builddir/tools/taproom-gencat" -n 1000 -s 42 >"$TR_STATE/catalog.tsv"
tr_mysql --local-infile=1 -e "SET GLOBAL local_infile=1; LOAD DATA LOCAL INFILE '$TR_STATE/catalog.tsv' INTO TABLE demo.sources; SET GLOBAL local_infile=0;"
tr_write_config
tr_start_taproom
tr_start_nginx

# ---- schemas: extracted from the stilts jar, tied together offline ------------------------------
# A capabilities or tables document uses xsi:type from several namespaces, so one driver schema
# imports them all; the XML catalog maps the schemaLocations the IVOA schemas import each other by
# onto the extracted files (VOResource 1.1 is the version the jar carries).
XSD=$TR_STATE/xsd
for n in VOSICapabilities-v1.0 VOSITables-v1.1 VOSIAvailability-v1.0 VODataService-v1.2 VOResource-v1.1 \
	TAPRegExt-v1.0-Erratum1 stc-v1.30 xlink xmlnamespace; do
	tr_schema "$n" >/dev/null
done
cat >"$XSD/catalog.xml" <<XML
<?xml version="1.0"?>
<catalog xmlns="urn:oasis:names:tc:entity:xmlns:xml:catalog">
  <uri name="http://www.ivoa.net/xml/VOResource/v1.0" uri="$XSD/VOResource-v1.1.xsd"/>
  <uri name="http://www.ivoa.net/xml/VOResource/VOResource-v1.0.xsd" uri="$XSD/VOResource-v1.1.xsd"/>
  <uri name="http://www.ivoa.net/xml/VODataService/v1.1" uri="$XSD/VODataService-v1.2.xsd"/>
  <uri name="http://www.ivoa.net/xml/STC/stc-v1.30.xsd" uri="$XSD/stc-v1.30.xsd"/>
  <uri name="http://www.ivoa.net/xml/Xlink/xlink.xsd" uri="$XSD/xlink.xsd"/>
  <uri name="http://www.w3.org/2001/xml.xsd" uri="$XSD/xmlnamespace.xsd"/>
</catalog>
XML
cat >"$XSD/all.xsd" <<XML
<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:taproom:test:vosi-all">
  <xs:import namespace="http://www.ivoa.net/xml/VOResource/v1.0" schemaLocation="VOResource-v1.1.xsd"/>
  <xs:import namespace="http://www.ivoa.net/xml/VODataService/v1.1" schemaLocation="VODataService-v1.2.xsd"/>
  <xs:import namespace="http://www.ivoa.net/xml/TAPRegExt/v1.0" schemaLocation="TAPRegExt-v1.0-Erratum1.xsd"/>
  <xs:import namespace="http://www.ivoa.net/xml/VOSICapabilities/v1.0" schemaLocation="VOSICapabilities-v1.0.xsd"/>
  <xs:import namespace="http://www.ivoa.net/xml/VOSITables/v1.0" schemaLocation="VOSITables-v1.1.xsd"/>
  <xs:import namespace="http://www.ivoa.net/xml/VOSIAvailability/v1.0" schemaLocation="VOSIAvailability-v1.0.xsd"/>
</xs:schema>
XML
XML_CATALOG_FILES=$XSD/catalog.xml
export XML_CATALOG_FILES
valid() { # valid FILE: schema-valid against every VOSI/VODataService/TAPRegExt schema
	xmllint --nonet --noout --schema "$XSD/all.xsd" "$1" >"$TR_STATE/xmllint.out" 2>&1 ||
		{ grep -v 'Skipping import' "$TR_STATE/xmllint.out"; return 1; }
}
# A document that breaks the schema must fail, or the checks above prove nothing.
printf '<vosi:tableset xmlns:vosi="http://www.ivoa.net/xml/VOSITables/v1.0"><schema><table/></schema></vosi:tableset>\n' >"$TR_STATE/bad.xml"
tr_check "the schema set rejects an invalid tableset" sh -c "! xmllint --nonet --noout --schema '$XSD/all.xsd' '$TR_STATE/bad.xml' 2>/dev/null"

get() { # get PATH OUTFILE [curl args]: status in $TR_STATE/status, headers in $TR_STATE/headers
	p=$1; out=$2; shift 2
	curl -sS -o "$out" -D "$TR_STATE/headers" -w '%{http_code}' "$@" "$TR_URL$p" >"$TR_STATE/status" || echo 000 >"$TR_STATE/status"
}
status_is() { s=$(tr_status); [ "$s" = "$1" ] || { echo "HTTP status $s, expected $1"; return 1; }; }
answer_is() { # answer_is STATUS CONTENT_TYPE_PREFIX
	status_is "$1" && { grep -qi "^Content-Type: $2" "$TR_STATE/headers" || { grep -i '^Content-Type' "$TR_STATE/headers"; return 1; }; }
}
says() { grep -q "$1" "$2" || { echo "--- no \"$1\" in:"; cat "$2"; return 1; }; } # says TEXT FILE

# ---- /capabilities ----------------------------------------------------------------------------
f=$TR_STATE/capabilities.xml
get /capabilities "$f"
tr_check "capabilities: 200 text/xml" answer_is 200 text/xml
tr_check "capabilities: valid (VOSICapabilities, TAPRegExt, VODataService)" valid "$f"
tr_check "capabilities: access URLs built from the request's host and port" \
	sh -c "! grep -o '<accessURL[^>]*>[^<]*' '$f' | sed 's/.*>//' | grep -v '^$TR_URL'"
for p in "" /sync /async /capabilities /availability /tables /examples; do
	tr_check "capabilities: declares $TR_URL$p" grep -q ">$TR_URL$p</accessURL>" "$f"
done
tr_check "capabilities: output limits from the configuration" \
	sh -c "grep -q '<default unit=\"row\">100000</default>' '$f' && grep -q '<hard unit=\"row\">50000000</hard>' '$f'"
tr_check "capabilities: inline uploads, limited by upload.max_bytes" \
	sh -c "grep -q '<uploadMethod ivo-id=\"ivo://ivoa.net/std/TAPRegExt#upload-inline\"/>' '$f' && tr -d ' \n' <'$f' | grep -q '<uploadLimit><hardunit=\"byte\">67108864</hard></uploadLimit>'"
tr_check "capabilities: async limits from the configuration (retention 7 days, duration 1 h of 24 h)" \
	sh -c "tr -d ' \n' <'$f' | grep -q '<retentionPeriod><default>604800</default><hard>2592000</hard></retentionPeriod><executionDuration><default>3600</default><hard>86400</hard></executionDuration>'"
# (That no body follows is the unit test's to check: nginx drops HEAD bodies itself.)
get /capabilities "$TR_STATE/head.out" -I
tr_check "HEAD /capabilities: 200 text/xml" answer_is 200 text/xml
get /capabilities "$TR_STATE/e.out" -X POST -d x=1
tr_check "POST /capabilities: 405" status_is 405
tr_check "POST /capabilities: Allow: GET, HEAD" grep -qi '^Allow: GET, HEAD' "$TR_STATE/headers"

# ---- /tables ----------------------------------------------------------------------------------
f=$TR_STATE/tables.xml
get /tables "$f"
tr_check "tables: 200 text/xml" answer_is 200 text/xml
tr_check "tables: valid (VOSITables 1.1, VODataService 1.2)" valid "$f"
tr_mysql -e "SELECT table_name FROM TAP_SCHEMA.\`tables\` ORDER BY table_name" >"$TR_STATE/db_tables"
grep -o '<name>[^<]*</name>' "$f" | sed 's/<[^>]*>//g' >"$TR_STATE/names"
missing=$(grep -vxFf "$TR_STATE/names" "$TR_STATE/db_tables" || true)
tr_check "tables: every table of TAP_SCHEMA is listed${missing:+ (missing: $missing)}" test -z "$missing"
tr_check "tables: columns with unit, UCD, VOTable datatype and flags" \
	sh -c "tr -d '\n ' <'$f' | grep -q '<name>ra</name><description>Rightascension(ICRS)</description><unit>deg</unit><ucd>pos.eq.ra;meta.main</ucd><dataTypexsi:type=\"vs:VOTableType\">double</dataType><flag>indexed</flag><flag>principal</flag>'"
tr_check "tables: arraysize of a string column" grep -q '<dataType xsi:type="vs:VOTableType" arraysize="32\*">char</dataType>' "$f"
tr_check "tables: TAP_SCHEMA's foreign keys" \
	sh -c "tr -d '\n ' <'$f' | grep -q '<foreignKey><targetTable>TAP_SCHEMA.tables</targetTable><fkColumn><fromColumn>table_name</fromColumn><targetColumn>table_name</targetColumn></fkColumn>'"

f=$TR_STATE/tables_min.xml
get "/tables?detail=min" "$f"
tr_check "tables?detail=min: 200" status_is 200
tr_check "tables?detail=min: valid" valid "$f"
tr_check "tables?detail=min: tables without columns" sh -c "grep -q '<name>demo.sources</name>' '$f' && ! grep -q '<column' '$f'"
get "/tables?DETAIL=bogus" "$TR_STATE/e.out"
tr_check "tables?detail=bogus: 400" status_is 400
tr_check "tables?detail=bogus: the message names DETAIL" says DETAIL "$TR_STATE/e.out"

for t in demo.sources TAP_SCHEMA.columns TAP_SCHEMA.key_columns; do
	f=$TR_STATE/table_$t.xml
	get "/tables/$t" "$f"
	tr_check "tables/$t: 200" status_is 200
	tr_check "tables/$t: root vosi:table" says '<vosi:table ' "$f"
	tr_check "tables/$t: valid" valid "$f"
done
tr_check "tables/demo.sources: its ten columns" test "$(grep -c '<column' "$TR_STATE/table_demo.sources.xml")" -eq 10
get /tables/demo.nope "$TR_STATE/e.out"
tr_check "tables/demo.nope: 404" status_is 404
tr_check "tables/demo.nope: the message names the table" says demo.nope "$TR_STATE/e.out"
get /tables/ "$TR_STATE/e.out"
tr_check "tables/ (no name): 404" status_is 404
get /tables/demo.sources "$TR_STATE/e.out" -X DELETE
tr_check "DELETE /tables/NAME: 405" status_is 405

# ---- /examples --------------------------------------------------------------------------------
f=$TR_STATE/examples.html
get /examples "$f"
tr_check "examples: 200 application/xhtml+xml" answer_is 200 'application/xhtml+xml'
tr_check "examples: well-formed XML" xmllint --nonet --noout "$f"
tr_check "examples: the built-in page is conf/examples.html" cmp -s "$f" "$top_srcdir/conf/examples.html"

# Every example (DALI 1.1 §2.3 RDFa: typeof="example" with property="name" and property="query")
# runs through /sync.  Geometry is being built (issue 5): a query the service answers with "geometry
# functions are not available yet" is reported as skipped, not passed.
mkdir -p "$TR_STATE/ex"
$PY - "$f" "$TR_STATE/ex" <<'PY' >"$TR_STATE/ex/list" || tr_fail "examples: the RDFa markup can be read"
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
ids = set()
for ex in root.iter():
    if ex.get('typeof') != 'example':
        continue
    eid = ex.get('id')
    names = [e for e in ex.iter() if e.get('property') == 'name']
    queries = [e for e in ex.iter() if e.get('property') == 'query']
    assert eid and eid not in ids and ex.get('resource') == '#' + eid, 'example id/resource: %r' % eid
    assert len(names) == 1 and len(queries) == 1, 'example %s: one name and one query' % eid
    assert all(len(e) == 0 for e in names + queries), 'example %s: plain text name and query' % eid
    ids.add(eid)
    with open('%s/%s.adql' % (sys.argv[2], eid), 'w') as out:
        out.write(''.join(queries[0].itertext()))
    print(eid)
assert len(ids) >= 6, 'only %d examples' % len(ids)
PY
n_ex=0
n_geo=0
for id in $(cat "$TR_STATE/ex/list"); do
	n_ex=$((n_ex + 1))
	get /sync "$TR_STATE/ex/$id.out" --data-urlencode "QUERY@$TR_STATE/ex/$id.adql" -d LANG=ADQL -d MAXREC=100
	if grep -q 'geometry functions are not available yet' "$TR_STATE/ex/$id.out"; then
		n_geo=$((n_geo + 1))
		tr_log "SKIP: example $id needs geometry, which this build does not have yet (issue 5)"
		continue
	fi
	tr_check "example $id runs: 200" status_is 200
	tr_check "example $id runs: QUERY_STATUS OK" says 'name="QUERY_STATUS" value="OK"' "$TR_STATE/ex/$id.out"
done
tr_log "examples: $n_ex found, $n_geo skipped for missing geometry"

# ---- taplint ----------------------------------------------------------------------------------
# Fails on any error.  One error is allowed by its exact text: STILTS 3.4.7 (Debian 12) predates the
# ADQL 2.1 Recommendation and does not know its feature type for COALESCE, which ADQL 2.1 §4.8
# defines; newer taplint versions accept it.  A second one is known until uploads by URL exist
# (issue 8: off by default, for the operator to enable): taplint wants upload-http declared by every
# service that takes uploads, and this one declares inline uploads only.
stilts taplint tapurl="$TR_URL" stages='CAP AVV TME TMV TMS TMC EXA' report=EW >"$TR_STATE/taplint.out" 2>&1 || true
known='^E-CAP-KEYX-[0-9]* Unknown standard feature key "ivo://ivoa.net/std/TAPRegExt#features-adql-conditional" for language ADQL$'
known="$known"'\|^E-CAP-MUPM-[0-9]* Mandatory upload method ivo://ivoa.net/std/TAPRegExt#upload-http not declared'
grep '^E-' "$TR_STATE/taplint.out" | grep -v "$known" >"$TR_STATE/taplint.errors" || true
n_w=$(grep -c '^W-' "$TR_STATE/taplint.out" || true)
tr_log "taplint: $(grep -c '^E-' "$TR_STATE/taplint.out" || true) errors ($(grep -c "$known" "$TR_STATE/taplint.out" || true) known), $n_w warnings:"
grep '^[EW]-' "$TR_STATE/taplint.out" | sed 's/^/    /'
tr_check "taplint stages CAP AVV TME TMV TMS TMC EXA: no errors" sh -c "! test -s '$TR_STATE/taplint.errors'"
tr_check "taplint ran to the end" says '^Totals:' "$TR_STATE/taplint.out"

# ---- pyvo -------------------------------------------------------------------------------------
cat >"$TR_STATE/pyvo_meta.py" <<'PY'
import sys, pyvo
url = sys.argv[1]
svc = pyvo.dal.TAPService(url)
ids = [c.standardid for c in svc.capabilities]
for want in ('ivo://ivoa.net/std/TAP', 'ivo://ivoa.net/std/VOSI#tables-1.1', 'ivo://ivoa.net/std/DALI#examples'):
    assert want in ids, (want, ids)
assert svc.maxrec == 100000 and svc.hardlimit == 50000000, (svc.maxrec, svc.hardlimit)
lang = svc.capabilities[0].languages[0]
assert lang.name == 'ADQL' and [v.ivo_id for v in lang.versions] == ['ivo://ivoa.net/std/ADQL#v2.0', 'ivo://ivoa.net/std/ADQL#v2.1']
tables = svc.tables
names = list(tables.keys())
assert 'demo.sources' in names and 'TAP_SCHEMA.columns' in names, names
cols = {c.name: c for c in tables['demo.sources'].columns}
assert cols['ra'].unit == 'deg' and cols['ra'].ucd == 'pos.eq.ra;meta.main', cols['ra']
assert str(cols['name'].datatype.content) == 'char' and cols['name'].datatype.arraysize == '32*'
assert 'indexed' in cols['source_id'].flags
fk = tables['TAP_SCHEMA.columns'].foreignkeys[0]
assert fk.targettable == 'TAP_SCHEMA.tables', fk.targettable
print('pyvo ok: %d tables' % len(names))
PY
tr_check "pyvo reads the capabilities and the tables" $PY "$TR_STATE/pyvo_meta.py" "$TR_URL"

# ---- configuration: base_url and examples_file -----------------------------------------------
printf '<html xmlns="http://www.w3.org/1999/xhtml"><body vocab="http://www.ivoa.net/rdf/examples#"><p>site page</p></body></html>\n' >"$TR_STATE/site-examples.html"
kill -TERM "$TR_MASTER_PID"; wait "$TR_MASTER_PID" || true; tr_untrack "$TR_MASTER_PID"
tr_write_config 'base_url = "https://tap.example.org/tap/";' "examples_file = \"$TR_STATE/site-examples.html\";"
tr_start_taproom
get /capabilities "$TR_STATE/cap2.xml"
tr_check "base_url: every access URL is built from it" \
	sh -c "test \$(grep -c '<accessURL' '$TR_STATE/cap2.xml') -eq 7 && ! grep '<accessURL' '$TR_STATE/cap2.xml' | grep -v '>https://tap.example.org/tap[/<]'"
get /examples "$TR_STATE/site.out"
tr_check "examples_file: the operator's page is served as written" cmp -s "$TR_STATE/site.out" "$TR_STATE/site-examples.html"
tr_write_config 'examples_file = "/nonexistent/examples.html";'
tr_check "examples_file that cannot be read: --check-config fails naming it" \
	sh -c "! '$TAPROOM' --check-config --config '$TR_STATE/taproom.conf' >'$TR_STATE/check.out' 2>&1 && grep -q examples_file '$TR_STATE/check.out'"

tr_finish
