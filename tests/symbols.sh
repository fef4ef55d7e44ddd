#!/bin/sh
# Fails when a global symbol of libtaproom.a has the name of a symbol a shared library we link
# exports: ours would silently replace the library's own inside it at run time (ELF interposition).
# This bit us once: libconfig exports strbuf_append.
set -eu
: "${top_builddir:=$(cd "$(dirname "$0")/.." && pwd)/build}"
lib=$top_builddir/libtaproom.a
[ -f "$lib" ] || { echo "symbols: $lib not built"; exit 99; }
ours=$(nm -g --defined-only "$lib" 2>/dev/null | awk 'NF == 3 { print $3 }' | sort -u)
clash=0
for so in $(ldd "$top_builddir/taproom" | awk '$3 ~ /^\// { print $3 }'); do
	theirs=$(nm -D --defined-only "$so" 2>/dev/null | awk 'NF == 3 { print $3 }' | sed 's/@.*//' | sort -u)
	both=$(printf '%s\n' "$ours" | comm -12 - "$(printf '%s\n' "$theirs" >"$top_builddir/.symbols.tmp"; echo "$top_builddir/.symbols.tmp")")
	if [ -n "$both" ]; then
		echo "symbols: clash with $so: $(echo $both)"
		clash=1
	fi
done
rm -f "$top_builddir/.symbols.tmp"
[ "$clash" -eq 0 ] && echo "symbols: no clash with the shared libraries taproom links"
exit "$clash"
