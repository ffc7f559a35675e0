#!/usr/bin/env bash
# External test: Debian's real xenstore-utils (Xen 4.17's xenstore-read,
# -write, -ls, -list, -exists, -rm, -chmod, -watch, linked with Xen's own
# libxenstore) against our xenstored, through XENSTORED_PATH.
set -u
here=$(cd "$(dirname "$0")" && pwd)

# Debian's tools, not our links of the same names in tests/bin.
XS_TOOLS=
for d in /usr/bin /usr/local/bin; do
	if [ -x "$d/xenstore-read" ] && [ -x "$d/xenstore-watch" ]; then
		case $(readlink -f "$d/xenstore-read") in
		"${KXEN_BUILDDIR:-/nonexistent}"/*) ;;
		*) XS_TOOLS=$d; break ;;
		esac
	fi
done
if [ -z "$XS_TOOLS" ]; then
	echo "skip: Debian's xenstore-utils are not installed (apt-get install xenstore-utils)"
	exit 77
fi
command -v xenstored >/dev/null || { echo "skip: xenstored not built"; exit 77; }
XS_NAME=xenstored-debian-clients

# Side by side: our tools must print what Debian's print, byte for byte,
# with the same exit code (read-only commands, so the order is free).
xs_extra_checks() {
	local ours=${KXEN_BUILDDIR:-}/tests/bin cmd args a b ra rb
	[ -x "$ours/xenstore-ls" ] || return 0
	xs write /cmp/long "$(printf 'x%.0s' $(seq 200))" /cmp/tab "$(printf 'a\tb')" >/dev/null
	xs chmod -u /cmp/long n1 r2
	for cmd in "ls -p /" "ls /" "ls /cmp" "ls -f /cmp/" "ls -fp" "list /nope" \
		"read /cmp/tab" "read -R /cmp/tab" "exists /cmp /nope" "ls /nope" \
		"read" "write /x" "watch" "ls -x" "list -p /cmp" "read -p /cmp/tab /a" \
		"chmod /cmp/tab q1" "read //bad"; do
		args=
		[ "$cmd" != "${cmd#* }" ] && args=${cmd#* }
		set -f
		# shellcheck disable=SC2086
		a=$(timeout 20 "$XS_TOOLS/xenstore-${cmd%% *}" $args 2>&1); ra=$?
		# shellcheck disable=SC2086
		b=$(timeout 20 "$ours/xenstore-${cmd%% *}" $args 2>&1); rb=$?
		set +f
		a=${a//$XS_TOOLS\//}
		b=${b//$ours\//}
		if [ "$a" = "$b" ] && [ "$ra" = "$rb" ]; then
			echo "ok   same as Debian: $cmd"
		else
			echo "FAIL differs from Debian: $cmd (rc $ra vs $rb)"
			diff <(echo "$a") <(echo "$b") | head -10
			failures=$((failures + 1))
		fi
	done
}
. "$here/xenstored-clients.inc"
