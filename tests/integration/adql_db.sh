#!/bin/sh
# Runs every golden ADQL translation (tests/adql/translate.cases) on a real MariaDB and compares the
# rows with the hand-computed ones, under two sql_modes (tests/unit/test_adql_db).
. "$(dirname "$0")/setup.sh"
tr_start_mariadb
TR_TEST_DB_SOCKET=$TR_DB_SOCKET "$top_builddir/tests/unit/test_adql_db"
