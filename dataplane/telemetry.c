/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Read-only views for secgwctl over the DPDK telemetry socket.  Runs on the
 * telemetry thread: counters are summed with relaxed loads (see counters.h).
 */
#include <stdio.h>

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

static void
add_sa(struct rte_tel_data *d, const struct sa *s)
{
	const struct cfg_sa *c = &s->cfg;
	struct rte_tel_data *e = rte_tel_data_alloc();
	struct sa_counters t = dp_sa_usage(s);
	char key[16], buf[64];

	if (e == NULL)
		return;
	rte_tel_data_start_dict(e);
	rte_tel_data_add_dict_string(e, "name", c->name);
	rte_tel_data_add_dict_u64(e, "spi", c->spi);
	rte_tel_data_add_dict_string(e, "direction", c->dir == CFG_DIR_IN ? "in" : "out");
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
	snprintf(key, sizeof(key), "0x%08x", c->spi);
	if (rte_tel_data_add_dict_container(d, key, e, 0) != 0)
		rte_tel_data_free(e);
}

static int
tel_sa_list(const char *cmd __rte_unused, const char *params __rte_unused,
	    struct rte_tel_data *d)
{
	uint32_t i, cap = sad_capacity(dp.sad);

	rte_tel_data_start_dict(d);
	for (i = 0; i < cap; i++) {
		const struct sa *s = sad_slot(dp.sad, i);

		if (s->live)
			add_sa(d, s);
	}
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
				       "Installed SAs with their counters") != 0 ||
	    rte_telemetry_register_cmd("/secgw/ports", tel_ports,
				       "Ports with their addresses and counters") != 0)
		return -1;
	return 0;
}
