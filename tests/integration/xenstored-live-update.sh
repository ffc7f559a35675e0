#!/usr/bin/env bash
# Integration test: xenstore-control live-update replaces the running
# xenstored by a new binary while clients stay connected.  A watcher keeps
# its watch, a client keeps its open transaction (forced update) and
# commits it afterwards, the tree and the pid are unchanged.
set -u
command -v python3 >/dev/null || { echo "skip: python3 needed"; exit 77; }
for p in xenstored xenstore-control xenstore-ls xenstore-watch; do
	command -v $p >/dev/null || { echo "skip: $p not built"; exit 77; }
done
T=$(mktemp -d -t xenstored-lu.XXXXXX)
daemon_pid=
watch_pid=
cleanup() {
	[ -n "$watch_pid" ] && kill "$watch_pid" 2>/dev/null
	[ -n "$daemon_pid" ] && kill "$daemon_pid" 2>/dev/null && wait "$daemon_pid" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
export XENSTORED_PATH=$T/socket XEN_LOG_DIR=$T/log
xs() { timeout 20 "xenstore-$1" "${@:2}"; }

xenstored -N -F "$T/pid" &
daemon_pid=$!
for _ in $(seq 100); do [ -S "$XENSTORED_PATH" ] && break; sleep 0.05; done
xs write /lu/a 1 /lu/b 2 || exit 1
xs chmod /lu/b n0 r7 || exit 1
xs ls -fp / >"$T/before"

xs watch -n 3 /lu/w >"$T/watch.out" &
watch_pid=$!
for _ in $(seq 200); do grep -q . "$T/watch.out" && break; sleep 0.05; done

# A client with an open transaction, kept across the update.
mkfifo "$T/go"
timeout 60 python3 - "$XENSTORED_PATH" "$T/go" >"$T/txn.out" 2>&1 <<'PY' &
import socket, struct, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
def rx(n):
    b = b''
    while len(b) < n:
        c = s.recv(n - len(b))
        if not c: raise EOFError
        b += c
    return b
def req(t, payload, tx=0):
    s.sendall(struct.pack('<IIII', t, 9, tx, len(payload)) + payload)
    h = struct.unpack('<IIII', rx(16)); return h, rx(h[3])
h, body = req(6, b'\0'); tx = int(body[:-1])
print('write', req(11, b'/lu/txn\0in-tx', tx)[1])
open(sys.argv[2]).read()          # wait for the live update
print('read', req(2, b'/lu/txn\0', tx)[1])
print('end', req(7, b'T\0', tx)[1])
PY
txn_pid=$!
for _ in $(seq 200); do grep -q write "$T/txn.out" && break; sleep 0.05; done

bin=$(command -v xenstored)
# Without -F the open transaction makes the daemon answer BUSY.
out=$(timeout 20 xenstore-control live-update -t 1 "$bin" 2>&1)
case $out in *BUSY*) echo "ok   busy while a transaction is open" ;;
*) echo "FAIL busy: $out"; exit 1 ;; esac
timeout 30 xenstore-control live-update -F "$bin" || { echo "FAIL live update"; exit 1; }
echo "ok   live update done"
echo go >"$T/go"
wait "$txn_pid"
cat "$T/txn.out"
grep -q "read b'in-tx'" "$T/txn.out" && grep -q "end b'OK" "$T/txn.out" ||
	{ echo "FAIL transaction lost"; exit 1; }
echo "ok   transaction survived"

[ "$(cat "$T/pid")" = "$daemon_pid" ] && kill -0 "$daemon_pid" || { echo "FAIL pid changed"; exit 1; }
xs rm /lu/txn || exit 1
xs ls -fp / >"$T/after"
diff -u "$T/before" "$T/after" || { echo "FAIL tree changed"; exit 1; }
echo "ok   tree unchanged"

xs write /lu/w/x 1 && xs rm /lu/w
for _ in $(seq 200); do kill -0 "$watch_pid" 2>/dev/null || break; sleep 0.05; done
wait "$watch_pid" 2>/dev/null
watch_pid=
[ "$(cat "$T/watch.out")" = "$(printf '/lu/w\n/lu/w/x\n/lu/w')" ] ||
	{ echo "FAIL watch: $(cat "$T/watch.out")"; exit 1; }
echo "ok   watch kept"
grep -q "live update: restored" "$T/log/xenstored.log" || { echo "FAIL no restore logged"; exit 1; }
