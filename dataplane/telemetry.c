/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Read-only views for secgwctl over the DPDK telemetry socket.  Runs on the
 * telemetry thread: counters are summed with relaxed loads (see counters.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include <rte_ethdev.h>
#include <rte_telemetry.h>

#include "dp.h"

const char *const dp_counter_names[DPC__COUNT] = {
#define DP_COUNTER_NAME(name) #name,
	DP_COUNTER_LIST(DP_COUNTER_NAME)
#undef DP_COUNTER_NAME
};

static uint64_t
sum_counter(enum dp_counter c)
{
	uint64_t s = 0;
	uint16_t i;

	for (i = 0; i < dp.n_workers; i++)
		s += __atomic_load_n(&dp.workers[i].cnt.c[c], __ATOMIC_RELAXED);
	return s + __atomic_load_n(&dp.mgmt_cnt.c[c], __ATOMIC_RELAXED);
}

static int
tel_stats(const char *cmd __rte_unused, const char *params __rte_unused,
	  struct rte_tel_data *d)
{
	int c;

	rte_tel_data_start_dict(d);
	for (c = 0; c < DPC__COUNT; c++)
		rte_tel_data_add_dict_u64(d, dp_counter_names[c], sum_counter(c));
	return 0;
}

struct sa_counters
dp_sa_counters(uint32_t idx)
{
	struct sa_counters t = {0};
	uint16_t i;

	for (i = 0; i < dp.n_workers; i++) {
		const struct sa_counters *c = &dp.workers[i].sa_cnt[idx];

		t.packets += __atomic_load_n(&c->packets, __ATOMIC_RELAXED);
		t.bytes += __atomic_load_n(&c->bytes, __ATOMIC_RELAXED);
		t.drop_replay += __atomic_load_n(&c->drop_replay, __ATOMIC_RELAXED);
		t.drop_icv += __atomic_load_n(&c->drop_icv, __ATOMIC_RELAXED);
	}
	return t;
}

struct sa_counters
dp_sa_usage(const struct sa *s)
{
	struct sa_counters t = dp_sa_counters(s->idx);

	t.packets -= s->cnt_base.packets;
	t.bytes -= s->cnt_base.bytes;
	t.drop_replay -= s->cnt_base.drop_replay;
	t.drop_icv -= s->cnt_base.drop_icv;
	return t;
}

/*
 * A telemetry reply is at most 16 kB (DPDK 22.11 MAX_OUTPUT_LEN) and a dict
 * at most RTE_TEL_MAX_DICT_ENTRIES members, and DPDK leaves out a member that
 * does not fit without a word.  So /secgw/sa/list pages: each reply holds no
 * more SAs than fit in the worst case (an escaped 31-byte name, IPv6
 * endpoints, 20-digit counters: under TEL_SA_JSON_MAX bytes each) and says
 * where to go on.  secgwctl pages over the control socket, in bigger pages.
 */
#define TEL_OUTPUT_MAX (16 * 1024)
#define TEL_SA_JSON_MAX 640
#define TEL_SA_PAGE ((TEL_OUTPUT_MAX - 128) / TEL_SA_JSON_MAX) /* 128: the rest */
_Static_assert(TEL_SA_PAGE + 1 <= RTE_TEL_MAX_DICT_ENTRIES, "SA page over the dict limit");

/* One SA as member "0x%08x/in|out" of d (an inbound and an outbound SA may
 * share an SPI).  0, or -1 when it could not be added. */
static int
add_sa(struct rte_tel_data *d, const struct sa *s)
{
	const struct cfg_sa *c = &s->cfg;
	struct rte_tel_data *e = rte_tel_data_alloc();
	struct sa_counters t = dp_sa_usage(s);
	const char *dir = c->dir == CFG_DIR_IN ? "in" : "out";
	char key[24], buf[64];

	if (e == NULL)
		return -1;
	rte_tel_data_start_dict(e);
	rte_tel_data_add_dict_string(e, "name", c->name);
	rte_tel_data_add_dict_u64(e, "spi", c->spi);
	rte_tel_data_add_dict_string(e, "direction", dir);
	rte_tel_data_add_dict_string(e, "mode", c->mode == CFG_MODE_TUNNEL ? "tunnel" : "transport");
	rte_tel_data_add_dict_string(e, "cipher", cfg_cipher_info(c->cipher)->name);
	rte_tel_data_add_dict_string(e, "integ", cfg_integ_info(c->integ)->name);
	rte_tel_data_add_dict_string(e, "src", cfg_addr_str(&c->tun_src, buf, sizeof(buf)));
	rte_tel_data_add_dict_string(e, "dst", cfg_addr_str(&c->tun_dst, buf, sizeof(buf)));
	rte_tel_data_add_dict_u64(e, "packets", t.packets);
	rte_tel_data_add_dict_u64(e, "bytes", t.bytes);
	rte_tel_data_add_dict_u64(e, "drop_replay", t.drop_replay);
	rte_tel_data_add_dict_u64(e, "drop_icv", t.drop_icv);
	rte_tel_data_add_dict_string(e, "state", s->expired ? "expired" : "live");
	snprintf(key, sizeof(key), "0x%08x/%s", c->spi, dir);
	if (rte_tel_data_add_dict_container(d, key, e, 0) != 0) {
		rte_tel_data_free(e);
		return -1;
	}
	return 0;
}

/* /secgw/sa/list[,CURSOR]: the SAs from SAD slot CURSOR (default 0) on, and
 * "next_cursor", the CURSOR of the next page, 0 after the last. */
static int
tel_sa_list(const char *cmd __rte_unused, const char *params, struct rte_tel_data *d)
{
	uint32_t i, n = 0, cap = sad_capacity(dp.sad);
	unsigned long cursor = 0;
	char *end;

	if (params != NULL && params[0] != '\0') {
		errno = 0;
		cursor = strtoul(params, &end, 10);
		if (params[0] < '0' || params[0] > '9' || errno != 0 || *end != '\0' ||
		    cursor > UINT32_MAX)
			return -EINVAL;
	}
	rte_tel_data_start_dict(d);
	for (i = (uint32_t)cursor; i < cap && n < TEL_SA_PAGE; i++) {
		const struct sa *s = sad_slot(dp.sad, i);

		if (!s->live)
			continue;
		if (add_sa(d, s) != 0)
			return -ENOMEM; /* a reply with an SA missing would look complete */
		n++;
	}
	rte_tel_data_add_dict_u64(d, "next_cursor", i < cap ? i : 0);
	return 0;
}

static int
tel_ports(const char *cmd __rte_unused, const char *params __rte_unused,
	  struct rte_tel_data *d)
{
	struct rte_eth_stats st;
	char buf[64];
	uint16_t i;

	rte_tel_data_start_dict(d);
	for (i = 0; i < dp.n_ports; i++) {
		const struct dp_port *p = &dp.ports[i];
		struct rte_tel_data *e = rte_tel_data_alloc();

		if (e == NULL)
			continue;
		if (rte_eth_stats_get(p->port_id, &st) != 0)
			memset(&st, 0, sizeof(st));
		rte_tel_data_start_dict(e);
		rte_tel_data_add_dict_u64(e, "port_id", p->port_id);
		rte_tel_data_add_dict_string(e, "role",
					     p->role == CFG_PORT_PROTECTED ? "protected" : "unprotected");
		rte_tel_data_add_dict_string(e, "address",
			cfg_addr_str(&dp.cfg->ports[i].address.addr, buf, sizeof(buf)));
		if (dp.cfg->ports[i].address6.addr.family == AF_INET6)
			rte_tel_data_add_dict_string(e, "address6",
				cfg_addr_str(&dp.cfg->ports[i].address6.addr, buf, sizeof(buf)));
		rte_ether_format_addr(buf, sizeof(buf), &p->mac);
		rte_tel_data_add_dict_string(e, "mac", buf);
		rte_tel_data_add_dict_u64(e, "rx_packets", st.ipackets);
		rte_tel_data_add_dict_u64(e, "tx_packets", st.opackets);
		rte_tel_data_add_dict_u64(e, "rx_missed", st.imissed);
		rte_tel_data_add_dict_u64(e, "tx_errors", st.oerrors);
		if (rte_tel_data_add_dict_container(d, p->name, e, 0) != 0)
			rte_tel_data_free(e);
	}
	return 0;
}

int
dp_telemetry_init(void)
{
	if (rte_telemetry_register_cmd("/secgw/stats", tel_stats,
				       "Data-plane counters, summed over workers") != 0 ||
	    rte_telemetry_register_cmd("/secgw/sa/list", tel_sa_list,
				       "Installed SAs with their counters, a page from SAD slot "
				       "param (default 0) on, and next_cursor") != 0 ||
	    rte_telemetry_register_cmd("/secgw/ports", tel_ports,
				       "Ports with their addresses and counters") != 0)
		return -1;
	return 0;
}
