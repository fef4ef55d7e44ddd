#!/bin/sh
# Runs the result cursor's test (tests/unit/test_db_cursor) against a real MariaDB.
. "$(dirname "$0")/setup.sh"
tr_start_mariadb
TR_TEST_DB_SOCKET=$TR_DB_SOCKET "$top_builddir/tests/unit/test_db_cursor"
