#!/usr/bin/env bash
# Integration test: our xenstored on its unix socket, probed with raw
# xs_wire messages for the edge cases where Xen 4.17's C xenstored has a
# known answer (reference probes), plus hostile clients: an oversized
# payload (connection reset, daemon unaffected) and a client that never
# reads its replies (others keep being served).
set -u
command -v python3 >/dev/null || { echo "skip: python3 needed for raw wire probes"; exit 77; }
command -v xenstored >/dev/null || { echo "skip: xenstored not built"; exit 77; }

T=$(mktemp -d -t xenstored-wire.XXXXXX)
daemon_pid=
cleanup() {
	[ -n "$daemon_pid" ] && kill "$daemon_pid" 2>/dev/null && wait "$daemon_pid" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
export XENSTORED_PATH=$T/socket XEN_LOG_DIR=$T/log
xenstored -N -F "$T/pid" &
daemon_pid=$!
for _ in $(seq 100); do [ -S "$XENSTORED_PATH" ] && break; sleep 0.05; done
[ -S "$XENSTORED_PATH" ] || { echo "xenstored did not start"; exit 1; }
[ "$(stat -c %a "$XENSTORED_PATH")" = 600 ] || { echo "socket mode is not 0600"; exit 1; }
[ "$(cat "$T/pid")" = "$daemon_pid" ] || { echo "pid file wrong"; exit 1; }

timeout 60 python3 - "$XENSTORED_PATH" <<'PY'
import socket, struct, sys, time
SOCK = sys.argv[1]
T = dict(CONTROL=0, DIRECTORY=1, READ=2, GET_PERMS=3, WATCH=4, UNWATCH=5,
         TRANSACTION_START=6, TRANSACTION_END=7, INTRODUCE=8, RELEASE=9,
         GET_DOMAIN_PATH=10, WRITE=11, MKDIR=12, RM=13, SET_PERMS=14,
         WATCH_EVENT=15, ERROR=16, IS_DOMAIN_INTRODUCED=17, RESUME=18,
         SET_TARGET=19, RESET_WATCHES=21, DIRECTORY_PART=22)
failures = 0

class Conn:
    def __init__(self):
        self.s = socket.socket(socket.AF_UNIX)
        self.s.settimeout(10)
        self.s.connect(SOCK)
    def send(self, typ, payload, tx=0, req=5):
        self.s.sendall(struct.pack('<IIII', typ, req, tx, len(payload)) + payload)
    def rx(self, n):
        b = b''
        while len(b) < n:
            c = self.s.recv(n - len(b))
            if not c:
                raise EOFError
            b += c
        return b
    def msg(self):
        t, r, tx, l = struct.unpack('<IIII', self.rx(16))
        return t, r, tx, self.rx(l)
    def req(self, name, *args, tx=0, raw=None):
        payload = raw if raw is not None else b''.join(a.encode() + b'\0' for a in args)
        self.send(T[name] if isinstance(name, str) else name, payload, tx)
        while True:
            t, r, rtx, body = self.msg()
            if t != T['WATCH_EVENT']:
                return t, body

def check(what, got, want):
    global failures
    if got != want:
        print('FAIL %s: got %r want %r' % (what, got, want))
        failures += 1
    else:
        print('ok   %s' % what)

c = Conn()
ERR = T['ERROR']
check('write', c.req('WRITE', raw=b'/a\0b'), (T['WRITE'], b'OK\0'))
check('read', c.req('READ', '/a'), (T['READ'], b'b'))
check('rm /', c.req('RM', '/'), (ERR, b'EINVAL\0'))
check('relative write', c.req('WRITE', raw=b'rel\0x'), (T['WRITE'], b'OK\0'))
check('relative read', c.req('READ', '/local/domain/0/rel'), (T['READ'], b'x'))
for p in ['//a', '/a/', '', '/' + 'a' * 3100]:
    check('bad path %.10r' % p, c.req('READ', p), (ERR, b'EINVAL\0'))
check('mkdir existing', c.req('MKDIR', '/a'), (T['MKDIR'], b'OK\0'))
check('set_perms q9', c.req('SET_PERMS', '/a', 'q9'), (ERR, b'EINVAL\0'))
check('rm missing leaf', c.req('RM', '/a/none'), (T['RM'], b'OK\0'))
check('rm missing parent', c.req('RM', '/none/none'), (ERR, b'ENOENT\0'))
check('tx end without tx', c.req('TRANSACTION_END', 'T'), (ERR, b'ENOENT\0'))
check('domain path abc', c.req('GET_DOMAIN_PATH', 'abc'), (T['GET_DOMAIN_PATH'], b'/local/domain/0\0'))
check('introduced 0', c.req('IS_DOMAIN_INTRODUCED', '0'), (T['IS_DOMAIN_INTRODUCED'], b'T\0'))
check('introduced 5', c.req('IS_DOMAIN_INTRODUCED', '5'), (T['IS_DOMAIN_INTRODUCED'], b'F\0'))
check('unknown type', c.req(99, 'x'), (ERR, b'ENOSYS\0'))
check('watch no token', c.req('WATCH', '/a'), (ERR, b'EINVAL\0'))
check('unwatch unknown', c.req('UNWATCH', '/a', 'tok'), (ERR, b'ENOENT\0'))
t, body = c.req('DIRECTORY_PART', '/', '0')
parts = body.split(b'\0')
check('directory_part', (t, parts[1:]), (T['DIRECTORY_PART'], [b'tool', b'a', b'local', b'', b'']))
t, body = c.req('CONTROL', 'help')
check('control help', (t, b'quota\t' in body and b'check\t' in body), (T['CONTROL'], True))
t, body = c.req('CONTROL', 'quota')
check('control quota', b'nodes' in body and b'1000' in body and b'transaction-nodes' in body, True)

# Watch ordering: the event reaches the watcher before the writer's OK.
w = Conn()
w.send(T['WATCH'], b'@introduceDomain\0intro\0')
check('watch special ok', w.msg()[0], T['WATCH'])
check('initial special event', w.msg()[3], b'@introduceDomain\0intro\0')
w.send(T['WATCH'], b'/w\0tok\0')
check('watch ok', w.msg()[0], T['WATCH'])
check('initial event', w.msg()[3], b'/w\0tok\0')
check('introduce', c.req('INTRODUCE', '1', '5678', '3'), (T['INTRODUCE'], b'OK\0'))
check('introduce event', w.msg()[3], b'@introduceDomain\0intro\0')
c.send(T['WRITE'], b'/w/x\0001')
check('event before ok', w.msg()[3], b'/w/x\0tok\0')
check('writer ok', c.msg()[3], b'OK\0')
check('release', c.req('RELEASE', '1'), (T['RELEASE'], b'OK\0'))

# A client that sends requests and never reads: others are still served.
lazy = Conn()
lazy.s.setblocking(False)
blob = struct.pack('<IIII', T['DIRECTORY'], 0, 0, 2) + b'/\0'
sent = 0
try:
    for _ in range(200000):
        sent += lazy.s.send(blob)
except (BlockingIOError, socket.timeout):
    pass
check('lazy client filled its socket', sent > 0, True)
check('others served', c.req('READ', '/a'), (T['READ'], b'b'))

# An oversized payload: the connection is dropped, the daemon lives on.
bad = Conn()
bad.send(T['WRITE'], b'/big\0' + b'x' * 5000)
try:
    bad.msg()
    dropped = False
except (EOFError, ConnectionResetError):
    dropped = True
check('oversized payload drops connection', dropped, True)
check('still alive', c.req('READ', '/a'), (T['READ'], b'b'))
check('nothing written', c.req('READ', '/big'), (ERR, b'ENOENT\0'))
print('%d failures' % failures)
sys.exit(1 if failures else 0)
PY
rc=$?
kill -0 "$daemon_pid" || { echo "daemon died"; exit 1; }
exit $rc
