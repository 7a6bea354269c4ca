/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * secgw-ike's Child SA -> data plane records: directions, SPIs, tunnel
 * endpoints, key | salt split for AEAD, integrity keys, NAT-T ports mirrored
 * between the two SAs, and policies from the narrowed selectors; which
 * `start: trap` connection an acquire event belongs to.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "iked_dp.h"
#include "iked_trap.h"

static void fill(struct ike_key *k, size_t len, uint8_t seed)
{
	k->len = len;
	for (size_t i = 0; i < len; i++)
		k->b[i] = (uint8_t)(seed + i);
}

static struct ike_child_sa child(uint16_t encr, uint16_t integ, bool nat)
{
	struct ike_child_sa c;

	memset(&c, 0, sizeof(c));
	c.spi_in = 0xc0000001;
	c.spi_out = 0xc0000002;
	c.encr = encr;
	c.encr_key_bits = 128;
	c.integ = integ;
	bool aead = encr == IKE_ENCR_AES_GCM_16;
	fill(&c.encr_in, aead ? 20 : 16, 0x10);
	fill(&c.encr_out, aead ? 20 : 16, 0x40);
	if (!aead) {
		fill(&c.integ_in, 32, 0x70);
		fill(&c.integ_out, 32, 0xa0);
	}
	c.ts_local = (struct ike_tsv){0, 0, 65535, 0x0a630600, 0x0a6306ff};
	c.ts_remote = (struct ike_tsv){0, 0, 65535, 0x0a630700, 0x0a63077f};
	c.udp_encap = nat;
	c.local_ip = inet_addr("10.99.5.1");
	c.remote_ip = inet_addr("10.99.5.2");
	c.local_port = nat ? 4500 : 500;
	c.remote_port = nat ? 31000 : 500;
	return c;
}

static struct ctl_event acquire_ev(const char *src, const char *dst, uint8_t proto)
{
	struct ctl_event ev = {.kind = CTL_EV_ACQUIRE, .family = AF_INET, .proto = proto};
	uint32_t a = inet_addr(src), b = inet_addr(dst);

	memcpy(ev.src, &a, 4);
	memcpy(ev.dst, &b, 4);
	return ev;
}

static void test_trap_match(void)
{
	struct cfg_conn conns[3];

	memset(conns, 0, sizeof(conns));
	/* wait, then two traps: 10.99.6.0/24 -> 10.99.7.0/25 and -> 10.99.8.0/24 UDP */
	conns[0].ike.local_ts = (struct ike_tsv){0, 0, 65535, 0x0a630600, 0x0a6306ff};
	conns[0].ike.remote_ts = (struct ike_tsv){0, 0, 65535, 0x0a630700, 0x0a6307ff};
	conns[1] = conns[0];
	conns[1].trap = true;
	conns[1].ike.remote_ts.end = 0x0a63077f;
	conns[2] = conns[1];
	conns[2].ike.remote_ts = (struct ike_tsv){17, 0, 65535, 0x0a630800, 0x0a6308ff};

	struct ctl_event ev = acquire_ev("10.99.6.2", "10.99.7.1", 1);
	CHECK(iked_trap_match(conns, 3, &ev) == &conns[1]);
	ev = acquire_ev("10.99.6.2", "10.99.7.200", 1); /* only the `wait` one holds it */
	CHECK(iked_trap_match(conns, 3, &ev) == NULL);
	ev = acquire_ev("10.99.6.2", "10.99.8.1", 17);
	CHECK(iked_trap_match(conns, 3, &ev) == &conns[2]);
	ev = acquire_ev("10.99.6.2", "10.99.8.1", 6); /* protocol outside the selector */
	CHECK(iked_trap_match(conns, 3, &ev) == NULL);
	ev = acquire_ev("10.99.9.2", "10.99.7.1", 1); /* source outside local_ts */
	CHECK(iked_trap_match(conns, 3, &ev) == NULL);
	ev = acquire_ev("10.99.6.2", "10.99.7.1", 1);
	ev.kind = CTL_EV_SOFT_EXPIRE;
	CHECK(iked_trap_match(conns, 3, &ev) == NULL);
	ev = acquire_ev("10.99.6.2", "10.99.7.1", 1);
	ev.family = AF_INET6;
	CHECK(iked_trap_match(conns, 3, &ev) == NULL);
}

int main(void)
{
	char err[CFG_ERR_MAX];
	struct cfg_sa out, in;
	struct cfg_policy po, pi;

	struct ike_child_sa c = child(IKE_ENCR_AES_GCM_16, IKE_INTEG_NONE, true);
	CHECK(iked_child_to_sas(&c, NULL, &out, &in, err) == 0);
	CHECK(out.spi == 0xc0000002 && out.dir == CFG_DIR_OUT && in.spi == 0xc0000001 &&
	      in.dir == CFG_DIR_IN);
	CHECK(out.cipher == CFG_CIPHER_AES_128_GCM && out.integ == CFG_INTEG_NONE);
	CHECK(out.key_len == 16 && out.key[0] == 0x40 && out.salt[0] == 0x50 && out.salt[3] == 0x53);
	CHECK(in.key_len == 16 && in.key[15] == 0x1f && in.salt[0] == 0x20);
	CHECK(out.tun_src.v4 == c.local_ip && out.tun_dst.v4 == c.remote_ip);
	CHECK(in.tun_src.v4 == c.remote_ip && in.tun_dst.v4 == c.local_ip);
	CHECK(out.udp_encap && out.udp_sport == 4500 && out.udp_dport == 31000);
	CHECK(in.udp_encap && in.udp_sport == 31000 && in.udp_dport == 4500);
	CHECK(out.mode == CFG_MODE_TUNNEL && !out.esn && out.replay_window == 1024);

	CHECK(iked_child_to_policies(&c, &po, &pi, err) == 0);
	CHECK(strcmp(po.name, "ike-out-c0000002") == 0 && po.action == CFG_SP_PROTECT &&
	      po.spi == 0xc0000002 && po.dir == CFG_DIR_OUT);
	CHECK(po.src.len == 24 && po.src.addr.v4 == inet_addr("10.99.6.0"));
	CHECK(po.dst.len == 25 && po.dst.addr.v4 == inet_addr("10.99.7.0"));
	CHECK(strcmp(pi.name, "ike-in-c0000001") == 0 && pi.spi == 0xc0000001 &&
	      pi.dir == CFG_DIR_IN && pi.src.len == 25 && pi.dst.len == 24);

	c = child(IKE_ENCR_AES_CBC, IKE_INTEG_HMAC_SHA2_256_128, false);
	CHECK(iked_child_to_sas(&c, NULL, &out, &in, err) == 0);
	CHECK(out.cipher == CFG_CIPHER_AES_128_CBC && out.integ == CFG_INTEG_HMAC_SHA256_128);
	CHECK(out.auth_key_len == 32 && out.auth_key[0] == 0xa0 && in.auth_key[0] == 0x70);
	CHECK(!out.udp_encap && !in.udp_encap);
	CHECK(out.life.soft_packets == 0 && in.life.hard_bytes == 0);

	/* the connection's volume limits go with both halves */
	struct cfg_lifetime life = {.soft_packets = 200, .hard_packets = 220};
	CHECK(iked_child_to_sas(&c, &life, &out, &in, err) == 0);
	CHECK(out.life.soft_packets == 200 && out.life.hard_packets == 220);
	CHECK(in.life.soft_packets == 200 && in.life.hard_packets == 220 && in.life.soft_bytes == 0);

	CHECK(po.proto == -1 && po.sport_lo == 0 && po.sport_hi == 65535 && pi.dport_hi == 65535);

	/* Narrowed to UDP ports: our ports are the outbound source ones, the
	 * peer's the destination ones, and the other way round inbound. */
	c.ts_local.proto = c.ts_remote.proto = IPPROTO_UDP;
	c.ts_local.port_lo = 1000;
	c.ts_local.port_hi = 2000;
	c.ts_remote.port_lo = c.ts_remote.port_hi = 53;
	CHECK(iked_child_to_policies(&c, &po, &pi, err) == 0);
	CHECK(po.proto == IPPROTO_UDP && po.sport_lo == 1000 && po.sport_hi == 2000 &&
	      po.dport_lo == 53 && po.dport_hi == 53);
	CHECK(pi.proto == IPPROTO_UDP && pi.sport_lo == 53 && pi.sport_hi == 53 &&
	      pi.dport_lo == 1000 && pi.dport_hi == 2000);
	/* one side narrowed to a protocol, the other any: the protocol */
	c.ts_local = (struct ike_tsv){IPPROTO_ICMP, 0, 65535, 0x0a630600, 0x0a6306ff};
	c.ts_remote.proto = 0;
	c.ts_remote.port_lo = 0;
	c.ts_remote.port_hi = 65535;
	CHECK(iked_child_to_policies(&c, &po, &pi, err) == 0);
	CHECK(po.proto == IPPROTO_ICMP && pi.proto == IPPROTO_ICMP && po.dport_hi == 65535);
	/* what the SPD cannot hold: ICMP type ranges, two different protocols */
	c.ts_local.port_hi = 8;
	CHECK(iked_child_to_policies(&c, &po, &pi, err) == -1 && strstr(err, "port ranges"));
	c.ts_local.port_hi = 65535;
	c.ts_remote.proto = IPPROTO_UDP;
	CHECK(iked_child_to_policies(&c, &po, &pi, err) == -1 && strstr(err, "protocols 1 and 17"));
	c.ts_local.proto = c.ts_remote.proto = 0;

	/* A range that is no prefix cannot become an SPD entry. */
	c.ts_remote.end = 0x0a630780;
	CHECK(iked_child_to_policies(&c, &po, &pi, err) == -1);
	/* An algorithm the data plane lacks. */
	c.encr = 99;
	CHECK(iked_child_to_sas(&c, NULL, &out, &in, err) == -1 && strstr(err, "no data plane") != NULL);

	test_trap_match();
	printf("%d checks, %d failures\n", checks, failures);
	return failures != 0;
}
