/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * EAL and crypto device bring-up shared by the unit tests that need DPDK:
 * no hugepages, no PCI, software crypto PMDs as vdevs.
 */
#ifndef SECGW_UNIT_EAL_H
#define SECGW_UNIT_EAL_H

#include <stdint.h>

#include <rte_mempool.h>

/*
 * rte_eal_init with --file-prefix=prefix and one --vdev per name, then each
 * crypto device configured with one queue pair and started.  Returns 0, or -1
 * with a message on stderr.
 */
int unit_eal_init(const char *prefix, const char *const vdevs[], unsigned int n_vdevs);

/* A session pool large enough for n sessions on any started crypto device. */
struct rte_mempool *unit_session_pool(const char *name, unsigned int n);

/* Stops and closes the crypto devices, then rte_eal_cleanup(). */
void unit_eal_fini(void);

#endif
