#!/usr/bin/env bash
# xl's command line as Xen's xl behaves: usage and exit codes with no
# command, an unknown command or option, per-command help, and `xl help`
# listing only the commands this build implements.  Needs no instance.
set -u

export XL_GLOBAL_CONFIG=${KXEN_SRCDIR:?}/tests/data/xl-dryrun/xl.conf
xl=$(command -v xl) || { echo "xl not found on PATH"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0 checked=0

# matches FILE REGEX: a line matches, or REGEX is ^$ and FILE is empty
matches() {
	if [ "$2" = '^$' ]; then
		[ ! -s "$1" ]
	else
		grep -Eq -- "$2" "$1"
	fi
}

# expect RC STDOUT-REGEX STDERR-REGEX -- xl args...
expect() {
	local rc=$1 out=$2 err=$3 got
	shift 4
	timeout 20 "$xl" "$@" >"$tmp/out" 2>"$tmp/err"
	got=$?
	checked=$((checked + 1))
	if [ "$got" != "$rc" ] || ! matches "$tmp/out" "$out" ||
	   ! matches "$tmp/err" "$err"; then
		echo "FAIL: xl $*: rc=$got (want $rc)"
		sed 's/^/  out: /' "$tmp/out" | head -5
		sed 's/^/  err: /' "$tmp/err" | head -5
		fails=$((fails + 1))
	fi
}

expect 1 '^Usage xl \[-vfNtT\] <subcommand> \[args\]$' '^$' --
expect 1 '^$' '^command not implemented$' -- no-such-command
expect 1 '^$' '^unknown global option$' -- -Z create
expect 0 '^ create +Create a domain from config file <filename>$' '^$' -- help
expect 0 '^Usage: xl \[-vfN\] create <ConfigFile> \[options\] \[vars\]$' '^$' -- help create
expect 0 '^command "no-such" not implemented$' '^$' -- help no-such
expect 0 '^Options:$' '^$' -- create -h
expect 0 '^Usage: xl \[-vfN\] create' '^$' -- create --help
expect 2 '^$' "^option \`Z' not supported.$" -- create -Z
expect 2 '^Usage: xl \[-vfN\] create' '^$' -- create a.cfg b.cfg
expect 6 '^$' '^Config file not specified and none in save file$' -- -N create
# an unambiguous prefix names the command
expect 0 '"name": "p"' '^Parsing config from /dev/null$' -- -N cr /dev/null name=\"p\" kernel=\"/k\"

# help lists exactly the commands that xl can run
"$xl" help | awk 'NR > 4 && /^ [a-z]/ { print $1 }' >"$tmp/cmds"
while read -r cmd; do
	checked=$((checked + 1))
	"$xl" help "$cmd" | grep -q "^Usage: xl .* $cmd " ||
		{ echo "FAIL: help lists $cmd but it has no usage"; fails=$((fails + 1)); }
done <"$tmp/cmds"
checked=$((checked + 1))
grep -qx create "$tmp/cmds" || { echo "FAIL: create not listed"; fails=$((fails + 1)); }

echo "$checked checks, $fails failed"
[ $fails = 0 ]
