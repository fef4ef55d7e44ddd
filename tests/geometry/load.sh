# Sourced by tests/integration/geometry.sh and bench/geometry, after scripts/services.sh has started
# MariaDB (tr_mysql works): creates and publishes the geo.* tables (tests/geometry/geo.sql) and fills
# them with taproom-gencat rows through LOAD DATA LOCAL INFILE.  Secondary indexes are built after
# the load, which is several times faster than maintaining them row by row.
#
#   geo_load_schema            tables and TAP_SCHEMA rows (needs sql/tap_schema.sql loaded)
#   geo_load_cat ROWS SEED     geo.cat: gencat -c rows, indexed on dec and ra; keeps $TR_STATE/cat.tsv
#   geo_load_big ROWS SEED     geo.big: uniform positions only, indexed on dec and ra

GEO_GENCAT=$top_builddir/tools/taproom-gencat

geo_load_schema() {
	tr_mysql <"$top_srcdir/tests/geometry/geo.sql"
}

geo_load_file() { # geo_load_file FILE TABLE COLUMNS INDEX_PREFIX
	tr_mysql --local-infile=1 -e "SET GLOBAL local_infile = 1;
		LOAD DATA LOCAL INFILE '$1' INTO TABLE $2 ($3);
		SET GLOBAL local_infile = 0;
		ALTER TABLE $2 ADD KEY $4_dec (\`dec\`), ADD KEY $4_ra (ra);
		ANALYZE TABLE $2" >/dev/null
}

geo_load_cat() {
	"$GEO_GENCAT" -n "$1" -s "$2" -c >"$TR_STATE/cat.tsv"
	geo_load_file "$TR_STATE/cat.tsv" geo.cat "source_id, ra, \`dec\`, pmra, pmdec, parallax, mag_g, mag_r, flag, name" cat
}

# Made by the server itself (MariaDB's Sequence engine, a seeded RAND()): for a million rows that is
# twice as fast as generating, sending and parsing them, and the rows are uniform on the sphere all
# the same (dec = asin(2u - 1)).
geo_load_big() {
	tr_mysql -e "INSERT INTO geo.big SELECT seq, RAND($2) * 360, DEGREES(ASIN(2 * RAND() - 1)) FROM seq_1_to_$1;
		ALTER TABLE geo.big ADD KEY big_dec (\`dec\`), ADD KEY big_ra (ra);
		ANALYZE TABLE geo.big" geo >/dev/null
}
