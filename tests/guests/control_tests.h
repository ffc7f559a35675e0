/* Test programs of the PVH test guest for the PV control protocol and the console's input (control_tests.c). */
#ifndef XTEST_CONTROL_TESTS_H
#define XTEST_CONTROL_TESTS_H

#include "runtime/xtest.h"

void test_wait(struct xtest_env *env);
void test_echo(struct xtest_env *env);

#endif
