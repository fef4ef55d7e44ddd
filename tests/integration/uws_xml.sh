#!/bin/sh
# The UWS 1.1 documents (src/uws/uws_xml.c) against UWS-v1.1.xsd: tests/unit/test_uws_xml writes
# every sample document (each phase, nil fields, hostile parameters, results, errors, job lists)
# into a directory, and each must validate with xmllint.  The schema and the xlink schema it
# imports come from the Debian stilts jar; an XML catalog keeps xmllint offline.  A document broken
# on purpose must fail, so a validator that accepts everything cannot pass this test.
. "$(dirname "$0")/setup.sh"
tr_need xmllint libxml2-utils

valid() { tr_uws_valid "$1"; }

out=$TR_STATE/uws-xml
mkdir -p "$out"
if ! TR_UWS_XML_OUT=$out "$top_builddir/tests/unit/test_uws_xml" >"$TR_STATE/unit.out" 2>&1; then
	cat "$TR_STATE/unit.out"
	tr_fail "tests/unit/test_uws_xml passes"
fi

n=0
for f in "$out"/*.xml; do
	[ -f "$f" ] || continue
	n=$((n + 1))
	tr_check "$(basename "$f") is valid UWS 1.1" valid "$f"
done
# Every phase, the hostile, result and error variants, lists, results and parameters documents.
tr_check "at least 25 documents written ($n)" test "$n" -ge 25
for name in job-PENDING job-ARCHIVED job-hostile job-COMPLETED-result job-ERROR-transient jobs jobs-empty \
	results-COMPLETED results-empty parameters-hostile parameters-empty; do
	tr_check "$name.xml written" test -f "$out/$name.xml"
done

# Negative controls: the validator must see schema errors, not only well-formedness.
broken() { # broken NAME SED-SCRIPT: the edited copy of job-COMPLETED-result.xml must be invalid
	sed "$2" "$out/job-COMPLETED-result.xml" >"$TR_STATE/$1.xml"
	if cmp -s "$out/job-COMPLETED-result.xml" "$TR_STATE/$1.xml"; then
		echo "the edit changed nothing"; return 1
	fi
	! valid "$TR_STATE/$1.xml" >/dev/null
}
tr_check "an unknown phase is rejected" broken bad-phase 's|<uws:phase>COMPLETED<|<uws:phase>RUNNING<|'
tr_check "elements out of order are rejected" broken bad-order '/<uws:jobId>/{h;d}; /<uws:phase>/G'
tr_check "a missing executionDuration is rejected" broken no-duration '/<uws:executionDuration>/d'
tr_check "a non-integer executionDuration is rejected" broken bad-duration \
	's|<uws:executionDuration>3600<|<uws:executionDuration>1h<|'

tr_finish
