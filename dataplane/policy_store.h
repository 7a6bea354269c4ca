/* SPDX-License-Identifier: BSD-3-Clause */
/* Policy list and SPD publication; main lcore only (see policy_store.c). */
#ifndef SECGW_POLICY_STORE_H
#define SECGW_POLICY_STORE_H

#include <stddef.h>

#include "config.h"

int dp_policies_init(char *err, size_t len);
void dp_policies_free(void);
/* Edit the list; returns 0 or a negative errno with a message in err.  The
 * edits reach the workers at the next dp_policies_commit(). */
int dp_policy_add(const struct cfg_policy *p, char *err, size_t len);
int dp_policy_del(const char *name, char *err, size_t len);
/* Publish pending edits as one SPD generation; on failure they are undone. */
int dp_policies_commit(char *err, size_t len);
/* Index of a protect policy that uses the SA, or -1. */
int dp_policy_using_sa(uint32_t spi, enum cfg_direction dir);

#endif
