#!/usr/bin/env bash
# xl -N create against what Xen 4.17's xl printed for the same configs
# (tests/data/xl-dryrun: <name>.cfg or xlexample.<type>, with the expected
# .json, .stderr and .rc; xen417/: more configs, malformed ones included,
# and what Debian's Xen 4.17 xl -N create printed for them).  stdout must be byte-identical except the uuid
# when the config sets none (it is random, as in Xen); stderr and the exit
# code must be identical.  Then `xl create -n` and key=value overrides.
# No instance is needed: a dry run talks to no daemon.
set -u

data=${KXEN_SRCDIR:?}/tests/data/xl-dryrun
export XL_GLOBAL_CONFIG=$data/xl.conf
xl=$(command -v xl) || { echo "xl not found on PATH"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0 checked=0

fail() {
	echo "FAIL: $*"
	fails=$((fails + 1))
}

mask_uuid() {
	sed 's/"uuid": "[0-9a-f-]*"/"uuid": "UUID"/'
}

# check NAME CFGFILE [xl args...]: compares against NAME.{json,stderr,rc}
# in $dir
dir=$data
check() {
	local name=$1 cfg=$2 rc exp_rc
	shift 2
	(cd "$dir" && timeout 20 "$xl" "$@" "$cfg" >"$tmp/out" 2>"$tmp/err")
	rc=$?
	checked=$((checked + 1))
	if grep -q '^uuid' "$dir/$cfg" 2>/dev/null; then
		cmp -s "$dir/$name.json" "$tmp/out" ||
			fail "$name: stdout differs: $(diff "$dir/$name.json" "$tmp/out" | head -5)"
	else
		cmp -s <(mask_uuid <"$dir/$name.json") <(mask_uuid <"$tmp/out") ||
			fail "$name: stdout differs (uuid masked)"
		if [ -s "$dir/$name.json" ] &&
		   ! grep -Eq '"uuid": "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"' "$tmp/out"; then
			fail "$name: no generated uuid"
		fi
	fi
	if [ -f "$dir/$name.stderr" ]; then
		cmp -s "$dir/$name.stderr" "$tmp/err" ||
			fail "$name: stderr differs: $(diff "$dir/$name.stderr" "$tmp/err" | head -5)"
	fi
	exp_rc=0
	[ -f "$dir/$name.rc" ] && exp_rc=$(sed 's/.*rc=//' "$dir/$name.rc")
	[ "$rc" = "$exp_rc" ] || fail "$name: exit code $rc, expected $exp_rc"
}

for json in "$data"/*.json; do
	name=$(basename "$json" .json)
	if [ -f "$data/$name.cfg" ]; then
		check "$name" "$name.cfg" -N create
		check "$name" "$name.cfg" create -n
	elif [ -f "$data/$name" ]; then
		check "$name" "$name" -N create
	fi
done

dir=$data/xen417
for cfg in "$dir"/*.cfg; do
	name=$(basename "$cfg" .cfg)
	check "$name" "$name.cfg" -N create
done
dir=$data

# key=value after the file name wins over the file (memory=768).
(cd "$data" && "$xl" -N create pvh-min.cfg memory=768 'vcpus=2' >"$tmp/out" 2>"$tmp/err")
checked=$((checked + 1))
grep -q '"target_memkb": 786432' "$tmp/out" && grep -q '"max_memkb": 786432' "$tmp/out" &&
	grep -q '"max_vcpus": 2' "$tmp/out" || fail "key=value overrides not applied"

# -q: no "Parsing config from"; stdout unchanged.
(cd "$data" && "$xl" -N create -q pvh-min.cfg >"$tmp/out" 2>"$tmp/err")
checked=$((checked + 1))
[ ! -s "$tmp/err" ] && cmp -s "$tmp/out" "$data/pvh-min.json" || fail "create -q"

# /dev/null config: everything from the command line.
"$xl" -N create /dev/null 'name="cl"' 'kernel="/k"' >"$tmp/out" 2>"$tmp/err"
checked=$((checked + 1))
grep -q '"name": "cl"' "$tmp/out" && grep -q '"kernel": "/k"' "$tmp/out" ||
	fail "create /dev/null with settings"

# A missing file: Xen's message and exit code 3 (ERROR_FAIL).
"$xl" -N create "$tmp/missing.cfg" >"$tmp/out" 2>"$tmp/err"
rc=$?
checked=$((checked + 1))
[ $rc = 3 ] && grep -q "^Failed to read config file: $tmp/missing.cfg: No such file or directory" "$tmp/err" ||
	fail "missing file: rc=$rc $(cat "$tmp/err")"

echo "$checked checks, $fails failed"
[ $fails = 0 ]
