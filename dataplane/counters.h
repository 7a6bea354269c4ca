/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Every packet the data plane handles ends in exactly one of these counters'
 * reasons (or leaves on TX).  One list, so telemetry, the drop path and the
 * tests agree on the names.
 *
 * Concurrency: each worker owns its struct dp_counters (one writer, plain
 * stores); the telemetry thread sums them with relaxed loads, so a reader may
 * see a value a burst old, never a torn one (aligned 64-bit).
 */
#ifndef SECGW_COUNTERS_H
#define SECGW_COUNTERS_H

#include <stdint.h>
#include <rte_common.h>

#define DP_COUNTER_LIST(X)                                                     \
	X(rx_packets)                                                          \
	X(tx_packets)                                                          \
	X(tx_drop)           /* TX queue full */                               \
	X(out_bypass)                                                          \
	X(out_protect)                                                         \
	X(in_esp)                                                              \
	X(in_ah)                                                               \
	X(in_bypass)                                                           \
	X(punt)              /* ARP, ND and other control traffic to the main lcore */ \
	X(arp_hold)          /* frames held by the main lcore until ARP / ND answers */ \
	X(nd_ns_rx)          /* neighbor solicitations for our addresses or resolving */ \
	X(nd_na_rx)          /* neighbor advertisements */                     \
	X(nd_ns_tx)          /* solicitations we sent to resolve next hops */  \
	X(nd_na_tx)          /* advertisements we sent for our addresses */    \
	X(nd_ignored)        /* RS / RA / redirect / NS for others: not a router's job here */ \
	X(drop_nd_invalid)   /* ND failing RFC 4861 §7.1 validation (hop limit, lengths, ...) */ \
	X(drop_ip6_scope)    /* IPv6 multicast, link-local or unspecified: never forwarded */ \
	X(drop_malformed)    /* L2/L3 header shorter or inconsistent */        \
	X(drop_not_ip)       /* ethertype we do not route */                   \
	X(drop_no_policy)    /* no SPD entry: default deny */                  \
	X(drop_policy_discard)                                                 \
	X(drop_policy_trap)  /* trap policy: no SA yet (an acquire asks the IKE daemon for one) */ \
	X(acquire)           /* acquire events raised (main lcore) */          \
	X(acquire_repeat)    /* trapped packets of a flow that raised one within the last second */ \
	X(drop_unknown_spi)                                                    \
	X(drop_esp_malformed) /* ESP too short / not block aligned */          \
	X(drop_ah_malformed) /* AH length, SPI or IP header inconsistent */    \
	X(drop_ah_unsupported) /* fragment or IP option AH cannot protect */   \
	X(drop_proto_mismatch) /* ESP to an AH SA's SPI or the reverse */      \
	X(drop_sa_addr)      /* SPI known, outer addresses not its (lookup: spi-dst...) */ \
	X(drop_replay)       /* duplicate or left of the window */             \
	X(drop_icv)          /* integrity check failed */                      \
	X(drop_crypto)       /* any other crypto device failure */             \
	X(drop_decap)        /* bad padding / next header after decryption */  \
	X(drop_encap)        /* no room to add ESP headers or trailer */       \
	X(drop_policy_mismatch) /* inner packet outside its SA's selectors */  \
	X(drop_clear_protected) /* clear text where policy demands IPsec */    \
	X(drop_no_route)                                                       \
	X(drop_no_neighbor)                                                    \
	X(drop_ttl)                                                            \
	X(drop_mtu)          /* bigger than the egress MTU, not fragmented (DF, IPv6, fragment: never) */ \
	X(drop_mtu_nomem)    /* no mbuf for the fragments of a packet */       \
	X(out_fragmented)    /* packets fragmented to fit the egress MTU (before ESP when protected) */ \
	X(out_fragments)     /* the fragments they became */                   \
	X(icmp_frag_needed_tx) /* ICMP fragmentation needed sent (RFC 1191) */  \
	X(icmp_ptb_tx)       /* ICMPv6 packet too big sent (RFC 4443 §3.2) */  \
	X(icmp_ratelimited)  /* ICMP errors not sent: over dataplane.icmp_rate */ \
	X(in_frag)           /* fragments to the gateway taken for reassembly */ \
	X(in_reassembled)    /* packets reassembled from them */               \
	X(drop_reasm_timeout) /* fragments of packets not complete in reassembly_timeout_ms */ \
	X(drop_reasm_invalid) /* fragments overlapping, duplicated, too many, or malformed */ \
	X(drop_reasm_table_full) /* fragments of new packets while reassembly_flows are in use */ \
	X(drop_reasm_too_big) /* reassembled packets longer than one mbuf holds */ \
	X(drop_to_gateway)   /* addressed to us, no local service */          \
	X(drop_nomem)        /* crypto op pool empty */                        \
	X(drop_punt_full)                                                      \
	X(drop_seq_overflow) /* outbound SA exhausted its sequence space */    \
	X(drop_sa_expired)   /* SA past a hard lifetime, waiting to be replaced */ \
	X(drop_tfc_dummy)    /* RFC 4303 §2.7 dummy packet (next header 59) */ \
	X(drop_ecn)          /* RFC 6040: CE outside a Not-ECT inner packet */ \
	X(drop_ike_no_daemon) /* IKE (UDP 500, 4500 + non-ESP marker): no IKE daemon attached */ \
	X(drop_ike_malformed) /* punted IKE whose UDP length does not fit */  \
	X(ike_to_daemon)     /* IKE datagrams relayed to the IKE daemon */     \
	X(ike_from_daemon)   /* IKE datagrams the daemon sent out */           \
	X(drop_ike_from_daemon) /* daemon datagram malformed or not from our address */ \
	X(in_natt_keepalive) /* RFC 3948 §2.3 keepalive, consumed */          \
	X(local_echo)        /* echo requests to the gateway answered */

enum dp_counter {
#define DP_COUNTER_ENUM(name) DPC_##name,
	DP_COUNTER_LIST(DP_COUNTER_ENUM)
#undef DP_COUNTER_ENUM
	DPC__COUNT
};

extern const char *const dp_counter_names[DPC__COUNT];

struct dp_counters {
	uint64_t c[DPC__COUNT];
} __rte_cache_aligned;

#endif
