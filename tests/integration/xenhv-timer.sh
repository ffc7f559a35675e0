#!/usr/bin/env bash
# Guest time and timers (issue 5) on an isolated instance: the test guest's
# "timer" program reads vcpu_time_info and the wallclock, sleeps through
# singleshot timers (SCHEDOP_block until VIRQ_TIMER) and measures their
# lateness against system time, checks -ETIME, a stopped timer,
# set_timer_op and a periodic timer; meanwhile we pause the domain for a
# second while it reads the time in a loop: system time must run on
# through the pause and never go back.
#
# The lateness is reported ("a singleshot timer fires within 1 ms of its
# deadline on an idle host"), not judged: only the guest's generous bound
# (500 ms) fails the test, as timing must not decide a pass.
set -u
. "$KXEN_SRCDIR/tests/integration/events-common.inc"

timers=50
events_boot timer "timer $timers"
start=$(date +%s)

# The guest says when it reads the time in a loop; pause it then.
state=
for _ in $(seq 600); do
	state=$(xenstore-read "/local/domain/$domid/data/timer-pause" 2>/dev/null)
	[ -n "$state" ] && break
	xl list timer >/dev/null 2>&1 || break
	sleep 0.1
done
[ "$state" = ready ] || { events_wait; fail "the guest never reached its pause check (state '$state')"; }
xl pause timer || fail "xl pause failed"
sleep 1
xl list timer | awk 'NR == 2 { print "state while paused: " $5 }'
xl unpause timer || fail "xl unpause failed"
events_wait

events_expect 'xtest: timer-record: PASS' "no vcpu_time_info record"
events_expect 'xtest: timer-wallclock: PASS' "no wallclock in shared_info"
events_expect "xtest: timer: PASS n=$timers " "singleshot timers did not all fire"
events_expect 'xtest: timer-periodic: PASS' "the periodic timer did not tick"
events_expect 'xtest: timer-pause: PASS' "system time not monotonic across pause and unpause"
events_no_failures

# The guest's wallclock is the host's, give or take the run.
wall=$(sed -n 's/.*timer-wallclock: PASS wallclock_s=\([0-9]*\).*/\1/p' "$console" | head -n 1)
end=$(date +%s)
[ -n "$wall" ] && [ "$wall" -ge $((start - 5)) ] && [ "$wall" -le $((end + 5)) ] ||
	fail "guest wallclock $wall is not the host's ($start..$end)"

line=$(grep -o 'timer: PASS n=.*' "$console" | head -n 1)
avg=$(echo "$line" | sed -n 's/.* lateness_us=\([0-9]*\).*/\1/p')
max=$(echo "$line" | sed -n 's/.*max_lateness_us=\([0-9]*\).*/\1/p')
gap=$(grep -o 'pause_gap_ms=[0-9]*' "$console" | head -n 1)
echo "singleshot timer lateness: mean ${avg} us, max ${max} us over $timers timers (goal: within 1000 us on an idle host)"
[ "${max:-0}" -le 1000 ] || echo "NOTE: the worst timer was later than the 1 ms goal (not a failure: timing)"
echo "pause: $gap"
echo PASS
