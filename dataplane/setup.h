/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SECGW_SETUP_H
#define SECGW_SETUP_H

#include <stddef.h>

/* Build everything dp.cfg describes; on failure err says what and why. */
int dp_setup(char *err, size_t len);
/* Undo dp_setup (also after a partial one); workers must have stopped. */
void dp_teardown(void);

#endif
