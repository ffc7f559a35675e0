#!/usr/bin/env bash
# Grant tables end to end: the PVH test guest maps its grant table frame,
# grants two pages to domain 0; a host process maps one with xengnttab,
# checks the guest's bytes and writes its own (the guest sees them), is
# refused a grant that was never made, maps the console ring through the
# reserved entry xenhv seeded for domain 0 (GNTTAB_RESERVED_CONSOLE), and
# grant-copies out of and into the other page.  After the unmap the entry's GTF_reading/GTF_writing are
# clear again.
set -u
. "$KXEN_SRCDIR/tests/integration/events-common.inc"

events_boot grant gnttab
timeout 60 events-host --timeout 30 grant "$domid" || fail "the host side of the grant test failed"
events_wait
for check in gnttab-query-size gnttab-setup-table gnttab-map-table gnttab-host \
	gnttab-host-write gnttab-host-copy gnttab-flags; do
	events_expect "xtest: $check: PASS" "$check did not pass"
done
events_no_failures
echo PASS
