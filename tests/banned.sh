#!/bin/sh
# banned.sh: fails when C sources in src/ or tools/ call a function STYLE.md bans.
#
# The functions either cannot bound their output (sprintf, vsprintf, strcpy, strcat, gets), truncate
# without saying so or leave strings unterminated (strncpy), hide errors (atoi, atol, atoll), keep
# hidden state (strtok), run a shell (system) or grow the stack unchecked (alloca).  A call is the
# name as a whole word followed by "(", outside comments, string and character literals; member
# calls (x.system(), p->gets()) are not calls of the libc function.  VLAs cannot be found reliably
# with a text scan and are left to review.
#
# The tree is $top_srcdir (exported by `make check`), else this script's parent directory.
# Exit status (automake): 0 clean, 1 banned calls found, 99 the tree was not found.

banned='sprintf vsprintf strcpy strcat strncpy atoi atol atoll strtok gets system alloca'

top=${top_srcdir:-}
if [ -z "$top" ]; then
	top=$(cd "$(dirname "$0")/.." && pwd) || exit 99
fi
if [ ! -d "$top/src" ]; then
	echo "banned.sh: no src/ directory under '$top'" >&2
	exit 99
fi

if [ -d "$top/tools" ]; then
	set -- "$top/src" "$top/tools"
else
	set -- "$top/src"
fi
count=$(find "$@" -type f \( -name '*.c' -o -name '*.h' \) | wc -l | tr -d ' ')
if [ "$count" -eq 0 ]; then
	echo "banned: no C sources under $top"
	exit 0
fi

# The awk program blanks comments and literals (keeping the line structure, so block comments
# spanning lines are handled), then looks for NAME( in what is left.
# shellcheck disable=SC2016 # the $ signs are awk's
find "$@" -type f \( -name '*.c' -o -name '*.h' \) -print0 | LC_ALL=C sort -z | xargs -0 awk -v banned="$banned" -v top="$top/" '
BEGIN {
	n = split(banned, names, " ")
	hits = 0
}
FNR == 1 { in_comment = 0 }
{
	line = $0
	code = ""
	i = 1
	len = length(line)
	while (i <= len) {
		c = substr(line, i, 1)
		two = substr(line, i, 2)
		if (in_comment) {
			if (two == "*/") { in_comment = 0; code = code "  "; i += 2 }
			else { code = code " "; i++ }
		} else if (two == "/*") {
			in_comment = 1; code = code "  "; i += 2
		} else if (two == "//") {
			break
		} else if (c == "\"" || c == "\047") {
			# A literal: skip to its unescaped closing quote on this line.
			q = c; code = code " "; i++
			while (i <= len) {
				c = substr(line, i, 1)
				if (c == "\\") { code = code "  "; i += 2; continue }
				code = code " "; i++
				if (c == q) break
			}
		} else {
			code = code c; i++
		}
	}
	for (k = 1; k <= n; k++) {
		re = "(^|[^A-Za-z0-9_.>])" names[k] "[ \t]*\\("
		if (code ~ re) {
			file = FILENAME
			if (index(file, top) == 1) file = substr(file, length(top) + 1)
			printf "%s:%d: banned function %s(): %s\n", file, FNR, names[k], line
			hits++
		}
	}
}
END {
	exit hits > 0 ? 1 : 0
}'
status=$?

if [ "$status" -eq 0 ]; then
	echo "banned: $count files scanned, no banned calls"
	exit 0
fi
if [ "$status" -eq 1 ] || [ "$status" -eq 123 ]; then
	echo "banned: banned calls found in $count files scanned (see above; STYLE.md, Part 2, Avoid)"
	exit 1
fi
echo "banned: the scan itself failed (status $status)" >&2
exit 99
