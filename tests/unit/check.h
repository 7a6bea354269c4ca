/* SPDX-License-Identifier: BSD-3-Clause */
/* CHECK(cond) for the unit tests: count, report file:line and go on. */
#ifndef SECGW_TEST_CHECK_H
#define SECGW_TEST_CHECK_H

#include <stdio.h>

static int failures;
static int checks;

#define CHECK(cond)                                                                    \
	do {                                                                           \
		checks++;                                                              \
		if (!(cond)) {                                                         \
			failures++;                                                    \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, \
				#cond);                                                \
		}                                                                      \
	} while (0)

#endif
