/* SPDX-License-Identifier: BSD-3-Clause */
/* Bring-up and tear-down of ports, crypto device, pools and tables, in that order. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <rte_cryptodev.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include "ah.h"
#include "ike_relay.h"
#include "dp.h"
#include "mtu.h"
#include "ctl_server.h"
#include "neigh.h"
#include "policy_store.h"
#include "reclaim.h"
#include "route.h"
#include "setup.h"

#define RX_DESC 1024
#define TX_DESC 1024
#define CRYPTO_DESC 2048
#define NEIGH_SLOTS 4096

static int __rte_format_printf(3, 4)
fail(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	return -1;
}

static int
pools_create(char *err, size_t len)
{
	const struct secgw_config *cfg = dp.cfg;
	uint32_t sess_size, nops = (uint32_t)dp.n_workers * CRYPTO_DESC * 2;

	dp.mbuf_pool = rte_pktmbuf_pool_create("secgw_mbuf", cfg->mbufs, 256,
			RTE_ALIGN(sizeof(struct dp_pkt_meta), RTE_MBUF_PRIV_ALIGN),
			RTE_MBUF_DEFAULT_BUF_SIZE, rte_socket_id());
	if (dp.mbuf_pool == NULL)
		return fail(err, len, "cannot create the mbuf pool: %s", rte_strerror(rte_errno));
	dp.cop_pool = rte_crypto_op_pool_create("secgw_cop", RTE_CRYPTO_OP_TYPE_SYMMETRIC,
						nops, 128, RTE_MAX((size_t)SA_COP_PRIV_SIZE, AH_COP_PRIV_SIZE),
						rte_socket_id());
	if (dp.cop_pool == NULL)
		return fail(err, len, "cannot create the crypto op pool: %s", rte_strerror(rte_errno));
	sess_size = rte_cryptodev_sym_get_private_session_size(dp.cdev_id);
	dp.sess_pool = rte_cryptodev_sym_session_pool_create("secgw_sess", cfg->max_sas,
							      sess_size, 0, 0, rte_socket_id());
	if (dp.sess_pool == NULL)
		return fail(err, len, "cannot create the crypto session pool: %s", rte_strerror(rte_errno));
	return 0;
}

static int
crypto_setup(char *err, size_t len)
{
	const char *name = dp.cfg->crypto_driver == CFG_CRYPTO_OPENSSL ? "crypto_openssl0" :
									  "crypto_aesni_mb0";
	struct rte_cryptodev_config cc = {
		.socket_id = rte_socket_id(),
		.nb_queue_pairs = dp.n_workers,
	};
	struct rte_cryptodev_info info;
	int id;

	id = rte_cryptodev_get_dev_id(name);
	if (id < 0)
		return fail(err, len, "crypto device %s not found", name);
	dp.cdev_id = id;
	rte_cryptodev_info_get(id, &info);
	if (info.max_nb_queue_pairs < dp.n_workers)
		return fail(err, len, "crypto device %s has %u queue pairs, %u workers need one each",
			    name, info.max_nb_queue_pairs, dp.n_workers);
	if (rte_cryptodev_configure(id, &cc) != 0)
		return fail(err, len, "crypto device %s: configure failed", name);
	return 0;
}

static int
crypto_start(char *err, size_t len)
{
	struct rte_cryptodev_qp_conf qc = {
		.nb_descriptors = CRYPTO_DESC,
		.mp_session = dp.sess_pool,
	};
	uint16_t q;

	for (q = 0; q < dp.n_workers; q++)
		if (rte_cryptodev_queue_pair_setup(dp.cdev_id, q, &qc, rte_socket_id()) != 0)
			return fail(err, len, "crypto queue pair %u: setup failed", q);
	if (rte_cryptodev_start(dp.cdev_id) != 0)
		return fail(err, len, "crypto device %u: start failed", dp.cdev_id);
	return 0;
}

/* The port's IPv6 address, and its link-local one: fe80::/64 with the modified
 * EUI-64 of the MAC (RFC 4291 §2.5.1, RFC 2464 §4), which hosts may resolve. */
static void
port_addr6_setup(struct dp_port *p, const struct cfg_prefix *a6)
{
	const uint8_t *mac = p->mac.addr_bytes;
	const uint8_t ll[16] = {0xfe, 0x80, [8] = mac[0] ^ 0x02, mac[1], mac[2], 0xff, 0xfe,
				mac[3], mac[4], mac[5]};

	p->has_addr6 = a6 != NULL;
	if (a6 == NULL)
		return;
	memcpy(p->addr6, a6->addr.v6, sizeof(p->addr6));
	memcpy(p->ll6, ll, sizeof(p->ll6));
}

static int
port_setup(uint16_t i, char *err, size_t len)
{
	const struct cfg_port *cp = &dp.cfg->ports[i];
	struct dp_port *p = &dp.ports[i];
	struct rte_eth_conf conf = {0};
	struct rte_eth_dev_info info;
	char name[CFG_DEVARGS_MAX];
	uint16_t id, q, nq = dp.n_workers;
	int rc;

	snprintf(name, sizeof(name), "%.*s", (int)strcspn(cp->devargs, ","), cp->devargs);
	if (rte_eth_dev_get_port_by_name(name, &id) != 0)
		return fail(err, len, "port %s: device %s not found", cp->name, name);
	p->port_id = id;
	p->role = cp->role;
	p->mtu = cp->mtu;
	p->addr = cp->address.addr.family == AF_INET ? cp->address.addr.v4 : 0;
	snprintf(p->name, sizeof(p->name), "%s", cp->name);
	dp.port_of_id[id] = i;

	rte_eth_dev_info_get(id, &info);
	if (info.max_rx_queues < dp.n_workers || info.max_tx_queues < nq)
		return fail(err, len, "port %s: %u workers need %u RX and %u TX queues, the device has %u and %u",
			    cp->name, dp.n_workers, dp.n_workers, nq, info.max_rx_queues,
			    info.max_tx_queues);
	rc = rte_eth_dev_configure(id, dp.n_workers, nq, &conf);
	if (rc != 0)
		return fail(err, len, "port %s: configure failed: %s", cp->name, rte_strerror(-rc));
	for (q = 0; q < dp.n_workers; q++) {
		rc = rte_eth_rx_queue_setup(id, q, RX_DESC, rte_eth_dev_socket_id(id), NULL,
					    dp.mbuf_pool);
		if (rc != 0)
			return fail(err, len, "port %s: RX queue setup failed: %s", cp->name, rte_strerror(-rc));
	}
	for (q = 0; q < nq; q++) {
		rc = rte_eth_tx_queue_setup(id, q, TX_DESC, rte_eth_dev_socket_id(id), NULL);
		if (rc != 0)
			return fail(err, len, "port %s: TX queue setup failed: %s", cp->name, rte_strerror(-rc));
	}
	rc = rte_eth_dev_start(id);
	if (rc != 0)
		return fail(err, len, "port %s: start failed: %s", cp->name, rte_strerror(-rc));
	rte_eth_promiscuous_enable(id);
	rte_eth_macaddr_get(id, &p->mac);
	port_addr6_setup(p, cfg_port_prefix(cp, AF_INET6));
	return 0;
}

static int
tables_setup(char *err, size_t len)
{
	const struct secgw_config *cfg = dp.cfg;
	char e[SAD_ERR_MAX];
	uint32_t i, j;

	dp.sad = sad_create("secgw_sad", cfg->max_sas, rte_socket_id());
	if (dp.sad == NULL)
		return fail(err, len, "cannot create the SAD: %s", rte_strerror(rte_errno));
	for (i = 0; i < cfg->n_sas; i++) {
		if (sad_add(dp.sad, &cfg->sas[i], dp.cdev_id, dp.sess_pool, dp.n_workers > 1,
			    e) < 0) {
			snprintf(err, len, "%s: %s", cfg->path, e);
			return -1;
		}
	}
	if (dp_rcu_setup(err, len) != 0)
		return -1;
	if (dp_policies_init(e, sizeof(e)) != 0) {
		snprintf(err, len, "%s: %s", cfg->path, e);
		return -1;
	}
	dp.routes = routes_build(cfg, err, len);
	if (dp.routes == NULL)
		return -1;
	dp.neigh = neigh_create(NEIGH_SLOTS);
	if (dp.neigh == NULL)
		return fail(err, len, "cannot create the neighbor table");
	for (i = 0; i < cfg->n_ports; i++)
		for (j = 0; j < cfg->ports[i].n_neighbors; j++) {
			const struct cfg_neighbor *n = &cfg->ports[i].neighbors[j];
			struct neigh_addr ip = neigh_addr_cfg(&n->ip);
			struct rte_ether_addr mac;

			memcpy(mac.addr_bytes, n->mac, sizeof(mac.addr_bytes));
			neigh_set(dp.neigh, i, &ip, &mac);
		}
	return 0;
}

static int
workers_setup(char *err, size_t len)
{
	uint16_t i;

	dp.workers = rte_zmalloc("workers", sizeof(*dp.workers) * dp.n_workers,
				 RTE_CACHE_LINE_SIZE);
	if (dp.workers == NULL)
		return fail(err, len, "out of memory for workers");
	for (i = 0; i < dp.n_workers; i++) {
		dp.workers[i].idx = i;
		dp.workers[i].lcore = dp.cfg->workers[i];
		dp.workers[i].sa_cnt = rte_zmalloc("sa_cnt",
			sizeof(struct sa_counters) * dp.cfg->max_sas, RTE_CACHE_LINE_SIZE);
		if (dp.workers[i].sa_cnt == NULL)
			return fail(err, len, "out of memory for SA counters");
	}
	dp.punt_ring = rte_ring_create("secgw_punt", 1024, rte_socket_id(), RING_F_SC_DEQ);
	dp.resolve_ring = rte_ring_create("secgw_resolve", 1024, rte_socket_id(),
					  RING_F_SC_DEQ);
	dp.inject_ring = rte_ring_create("secgw_inject", 256, rte_socket_id(),
					 RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (dp.punt_ring == NULL || dp.resolve_ring == NULL || dp.inject_ring == NULL)
		return fail(err, len, "cannot create the punt rings: %s", rte_strerror(rte_errno));
	return 0;
}

int
dp_setup(char *err, size_t len)
{
	uint16_t i;

	dp.n_workers = dp.cfg->n_workers;
	dp.n_ports = dp.cfg->n_ports;
	for (i = 0; i < RTE_MAX_ETHPORTS; i++)
		dp.port_of_id[i] = DP_PORT_INVALID;
	if (crypto_setup(err, len) != 0 || pools_create(err, len) != 0 ||
	    crypto_start(err, len) != 0 || workers_setup(err, len) != 0)
		return -1;
	for (i = 0; i < dp.n_ports; i++)
		if (port_setup(i, err, len) != 0)
			return -1;
	if (tables_setup(err, len) != 0 || dp_reasm_setup(err, len) != 0)
		return -1;
	if (dp_ike_relay_open(err, len) != 0)
		return -1;
	dp_frag_setup();
	return dp_ctl_open(err, len);
}

void
dp_teardown(void)
{
	struct rte_mbuf *m;
	uint16_t i;

	for (i = 0; i < dp.n_ports; i++) {
		if (dp.port_of_id[dp.ports[i].port_id] != i)
			continue; /* setup stopped before this port */
		rte_eth_dev_stop(dp.ports[i].port_id);
		rte_eth_dev_close(dp.ports[i].port_id);
	}
	/* SAs go before the crypto device: their sessions belong to it */
	dp_ctl_close();
	dp_ike_relay_close();
	dp_rcu_teardown(); /* frees what is deferred, SAs included: before the SAD */
	dp_policies_free();
	sad_destroy(dp.sad);
	routes_free(dp.routes);
	neigh_free(dp.neigh);
	rte_cryptodev_stop(dp.cdev_id);
	rte_cryptodev_close(dp.cdev_id);
	while (dp.punt_ring != NULL && rte_ring_dequeue(dp.punt_ring, (void **)&m) == 0)
		rte_pktmbuf_free(m);
	while (dp.inject_ring != NULL && rte_ring_dequeue(dp.inject_ring, (void **)&m) == 0)
		rte_pktmbuf_free(m);
	dp_mgmt_release();
	rte_ring_free(dp.punt_ring);
	rte_ring_free(dp.inject_ring);
	rte_ring_free(dp.resolve_ring);
	for (i = 0; dp.workers != NULL && i < dp.n_workers; i++)
		rte_free(dp.workers[i].sa_cnt);
	rte_free(dp.workers);
	dp_reasm_teardown(); /* the fragments it holds go back to the pool */
	rte_mempool_free(dp.sess_pool);
	rte_mempool_free(dp.cop_pool);
	rte_mempool_free(dp.mbuf_pool);
}
