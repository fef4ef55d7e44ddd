#!/bin/sh
# Runs the TAP_SCHEMA catalog loader's unit test (tests/unit/test_catalog_db) against a real MariaDB.
. "$(dirname "$0")/setup.sh"
tr_start_mariadb
TR_TEST_DB_SOCKET=$TR_DB_SOCKET "$top_builddir/tests/unit/test_catalog_db"
