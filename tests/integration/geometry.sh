#!/bin/sh
# ADQL geometry end to end (issue 5): a real MariaDB, nginx and taproom, a 200,000-row catalog
# (uniform plus clusters at both poles and on RA 0) and a 1,000,000-row one.  tests/geometry/check.py
# compares the rows the service returns for 60+ regions (cones, boxes, polygons: tiny to whole-sky,
# polar, across RA 0, concave) with an independent numpy computation, proves the prefilter a superset
# (the exact test alone finds the same rows), checks DISTANCE values, geometry values as DALI arrays
# in VOTable TABLEDATA, BINARY2 and CSV, a cross-match join, EXPLAIN (a range scan on the dec or ra
# index for a 1-degree cone on the 1,000,000 rows) and the errors for bad regions.
. "$(dirname "$0")/setup.sh"
PY=/usr/bin/python3
$PY -c 'import numpy, astropy' 2>/dev/null || tr_skip "python3-numpy / python3-astropy not installed"
tr_need mariadb mariadb-client

tr_start_mariadb
tr_mysql <"$top_srcdir/sql/tap_schema.sql"
. "$top_srcdir/tests/geometry/load.sh"
geo_load_schema
start=$(date +%s)
geo_load_cat 200000 42
geo_load_big 1000000 7
tr_log "catalogs loaded in $(($(date +%s) - start)) s"
TR_WORKERS=2 tr_write_config "limits = { maxrec_default = 10000000; maxrec_max = 10000000; query_timeout = 300; };"
# the "sql:" lines of the debug log give check.py the SQL to EXPLAIN
sed -i 's/^log_level = "info";$/log_level = "debug";/' "$TR_STATE/taproom.conf"
tr_start_taproom
tr_start_nginx

for section in regions distance values xmatch explain errors; do
	tr_check "geometry: $section" $PY "$top_srcdir/tests/geometry/check.py" "$section" "$TR_URL" "$TR_STATE"
done
tr_finish
