#!/bin/sh
# VOSI availability against a real MariaDB behind a real nginx: true while the database answers,
# false (with a note) while it is down, true again when it is back; 404 and 405 answers.
. "$(dirname "$0")/setup.sh"
tr_need curl curl
tr_need xmllint libxml2-utils

tr_start_mariadb
tr_start_taproom
tr_start_nginx

body=$(tr_http /availability)
tr_check "availability answers 200" test "$(tr_status)" = 200
tr_check "available is true while the database is up" sh -c "echo '$body' | grep -q '<vosi:available>true</vosi:available>'"
printf '%s' "$body" >"$TR_STATE/avail-up.xml"
tr_check "availability (up) validates against VOSIAvailability-v1.0.xsd" tr_validate VOSIAvailability-v1.0 "$TR_STATE/avail-up.xml"
ctype=$(curl -sS -o /dev/null -w '%{content_type}' "$TR_URL/availability")
tr_check "availability is served as text/xml ($ctype)" sh -c "echo '$ctype' | grep -q '^text/xml'"

tr_stop_mariadb
body=$(tr_http /availability)
tr_check "availability answers 200 while the database is down" test "$(tr_status)" = 200
tr_check "available is false while the database is down" sh -c "echo '$body' | grep -q '<vosi:available>false</vosi:available>'"
tr_check "a note says why" sh -c "echo '$body' | grep -q '<vosi:note>.*database.*</vosi:note>'"
printf '%s' "$body" >"$TR_STATE/avail-down.xml"
tr_check "availability (down) validates" tr_validate VOSIAvailability-v1.0 "$TR_STATE/avail-down.xml"
# Every worker notices, not just the one that answered first.
for _ in 1 2 3 4; do tr_http /availability >/dev/null; done
tr_check "the log says why the database is unavailable" grep -q "availability: cannot connect to the database" "$TR_STATE/taproom.log"

tr_start_mariadb
ok=1
for _ in 1 2 3 4 5 6; do
	tr_http /availability | grep -q '<vosi:available>true</vosi:available>' || ok=0
done
tr_check "available is true again on every worker once the database is back" test "$ok" = 1

tr_http /no-such-thing >/dev/null
tr_check "unknown path gives 404" test "$(tr_status)" = 404
tr_check "404 has a short text body" grep -q "not found" "$TR_STATE/body"
tr_http /availability -X POST -d x=1 >/dev/null
tr_check "POST /availability gives 405" test "$(tr_status)" = 405
allow=$(curl -sS -D - -o /dev/null -X DELETE "$TR_URL/availability" | tr -d '\r' | sed -n 's/^Allow: //Ip')
tr_check "405 carries an Allow header ($allow)" test "$allow" = "GET, HEAD"
tr_check "access log has method, path, status, bytes and time" \
	grep -Eq 'access POST /availability 405 [0-9]+ [0-9.]+ms' "$TR_STATE/taproom.log"
tr_check "log lines carry level, role, pid and request id" \
	grep -Eq 'INFO worker\[[0-9]+\] req=[0-9]+-[0-9]+ access' "$TR_STATE/taproom.log"

tr_finish
