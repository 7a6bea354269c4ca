/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdio.h>

#include <rte_cryptodev.h>
#include <rte_eal.h>

#include "unit_eal.h"

#define UNIT_MAX_VDEVS 4
#define UNIT_QP_DESCRIPTORS 128
#define UNIT_MAX_SESSIONS 256

static struct rte_mempool *qp_sessions; /* the queue pairs' session pool */

static size_t
max_session_size(void)
{
	size_t sz = 0, s;
	uint8_t d;

	for (d = 0; d < rte_cryptodev_count(); d++) {
		s = rte_cryptodev_sym_get_private_session_size(d);
		sz = s > sz ? s : sz;
	}
	return sz;
}

struct rte_mempool *
unit_session_pool(const char *name, unsigned int n)
{
	return rte_cryptodev_sym_session_pool_create(name, n, max_session_size(), 0, 0,
						     SOCKET_ID_ANY);
}

static int
start_device(uint8_t dev)
{
	struct rte_cryptodev_config cc = {.socket_id = SOCKET_ID_ANY, .nb_queue_pairs = 1};
	struct rte_cryptodev_qp_conf qp = {
		.nb_descriptors = UNIT_QP_DESCRIPTORS,
		.mp_session = qp_sessions,
	};

	if (rte_cryptodev_configure(dev, &cc) != 0 ||
	    rte_cryptodev_queue_pair_setup(dev, 0, &qp, SOCKET_ID_ANY) != 0 ||
	    rte_cryptodev_start(dev) != 0) {
		fprintf(stderr, "crypto device %u: setup failed\n", dev);
		return -1;
	}
	return 0;
}

int
unit_eal_init(const char *prefix, const char *const vdevs[], unsigned int n_vdevs)
{
	char prefix_arg[64], vdev_arg[UNIT_MAX_VDEVS][64];
	char *argv[8 + UNIT_MAX_VDEVS] = {"unit", "--no-huge", "-m", "256", "--no-pci",
					  "--no-telemetry", "--log-level=error", prefix_arg};
	int argc = 8;
	unsigned int i;
	uint8_t d;

	if (n_vdevs > UNIT_MAX_VDEVS)
		return -1;
	snprintf(prefix_arg, sizeof(prefix_arg), "--file-prefix=%s", prefix);
	for (i = 0; i < n_vdevs; i++) {
		snprintf(vdev_arg[i], sizeof(vdev_arg[i]), "--vdev=%s", vdevs[i]);
		argv[argc++] = vdev_arg[i];
	}
	if (rte_eal_init(argc, argv) < 0) {
		fprintf(stderr, "rte_eal_init failed\n");
		return -1;
	}
	if (rte_cryptodev_count() != n_vdevs) {
		fprintf(stderr, "%u crypto devices, expected %u\n", rte_cryptodev_count(),
			n_vdevs);
		return -1;
	}
	qp_sessions = unit_session_pool("unit_qp_sess", UNIT_MAX_SESSIONS);
	if (qp_sessions == NULL)
		return -1;
	for (d = 0; d < n_vdevs; d++)
		if (start_device(d) != 0)
			return -1;
	return 0;
}

void
unit_eal_fini(void)
{
	uint8_t d;

	for (d = 0; d < rte_cryptodev_count(); d++) {
		rte_cryptodev_stop(d);
		rte_cryptodev_close(d);
	}
	rte_mempool_free(qp_sessions);
	rte_eal_cleanup();
}
