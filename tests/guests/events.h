/* Test programs of the PVH test guest for event channels, grants and rings (events.c). */
#ifndef XTEST_EVENTS_H
#define XTEST_EVENTS_H

#include "runtime/xtest.h"

void test_evtchn_pingpong(struct xtest_env *env);
void test_xenstore(struct xtest_env *env);
void test_xenstore_lu(struct xtest_env *env);
void test_gnttab(struct xtest_env *env);
void test_evtchn_upcall(struct xtest_env *env);

#endif
