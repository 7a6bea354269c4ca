/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * secgw configuration: one YAML file (libyaml) describes the data plane,
 * crypto device, ports, routes, policies and static SAs.
 *
 * The loader is pure C with no DPDK dependency so that the control process,
 * the unit tests and `secgw-dp --check` share it.  It validates everything it
 * can without a running data plane (lengths, references, duplicates), and every
 * error names file:line:column and the field path, e.g.
 *   configs/site-a.yaml:14:5: sa[2].key: expected 20 bytes of hex for aes-128-gcm, got 16
 * Field paths use the YAML key names: "ports[0].devargs", "policies[3].sport".
 *
 * Concurrency: none; a struct secgw_config is built once and then read-only.
 */
#ifndef SECGW_CONFIG_H
#define SECGW_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CFG_NAME_MAX 32
#define CFG_DEVARGS_MAX 256
#define CFG_PREFIX_MAX 64
#define CFG_ERR_MAX 512
#define CFG_MAX_PORTS 8
#define CFG_MAX_WORKERS 16
#define CFG_MAX_ROUTES 1024
#define CFG_MAX_POLICIES 65536
#define CFG_MAX_SAS 4194304 /* SAD capacity; 1M SAs need ~2.5 GB */
/* cipher key + integrity key + salt, the largest (AES-256-CBC + HMAC-SHA512) */
#define CFG_KEY_MAX 32
#define CFG_AUTH_KEY_MAX 64

/* Addresses are kept in network byte order, as they appear on the wire. */
struct cfg_addr {
	uint8_t family; /* AF_INET or AF_INET6 */
	union {
		uint8_t v6[16];
		uint32_t v4; /* network byte order */
	};
};

struct cfg_prefix {
	struct cfg_addr addr; /* host bits are zero: the loader rejects others */
	uint8_t len;
};

enum cfg_port_role {
	CFG_PORT_PROTECTED,   /* clear traffic of the sites we protect */
	CFG_PORT_UNPROTECTED, /* the untrusted network: ESP/AH travels here */
};

#define CFG_MAX_NEIGHBORS 16

/* A static neighbor, for next hops that do not answer ARP (traffic generators). */
struct cfg_neighbor {
	struct cfg_addr ip;
	uint8_t mac[6];
};

struct cfg_port {
	char name[CFG_NAME_MAX];
	char devargs[CFG_DEVARGS_MAX]; /* DPDK vdev, e.g. "net_af_packet0,iface=veth0" */
	enum cfg_port_role role;
	struct cfg_prefix address;     /* our interface address and its subnet (IPv4 or IPv6) */
	struct cfg_prefix address6;    /* a second, IPv6 address (dual stack); family 0 if none */
	uint16_t mtu;                  /* default 1500 */
	struct cfg_neighbor neighbors[CFG_MAX_NEIGHBORS]; /* "neighbors: [{ip: .., mac: ..}]" */
	uint16_t n_neighbors;
	int line;
};

struct cfg_route {
	struct cfg_prefix dst;
	struct cfg_addr via;  /* family 0: destination is on the link */
	uint16_t port;        /* index into secgw_config.ports */
	int line;
};

enum cfg_direction { CFG_DIR_OUT, CFG_DIR_IN };

/* trap (outbound only): drop, and tell the IKE daemon which traffic wants an SA
 * (an acquire event, CTL_EVENTS), so that a connection with `start: trap`
 * negotiates its Child SA on the first packet. */
enum cfg_sp_action { CFG_SP_BYPASS, CFG_SP_DISCARD, CFG_SP_PROTECT, CFG_SP_TRAP };

struct cfg_policy {
	char name[CFG_NAME_MAX];  /* optional; defaults to "policies[i]" */
	enum cfg_direction dir;
	struct cfg_prefix src, dst; /* same family; defaults 0.0.0.0/0 of family of the other */
	int proto;                  /* -1 any, else 0..255; "udp", "tcp", "icmp", "icmpv6", "esp", "ah" */
	uint16_t sport_lo, sport_hi; /* default 0..65535; only with tcp/udp/sctp */
	uint16_t dport_lo, dport_hi;
	enum cfg_sp_action action;
	uint32_t spi;               /* with protect: the SA (same direction) */
	uint32_t priority;          /* lower value wins; default 1000 */
	int line;
};

enum cfg_sa_mode { CFG_MODE_TUNNEL, CFG_MODE_TRANSPORT };

/* Encryption / AEAD algorithms; the integrity algorithm is separate unless AEAD. */
enum cfg_cipher {
	CFG_CIPHER_NULL,          /* "null" (RFC 2410), needs an integrity algorithm */
	CFG_CIPHER_AES_128_GCM,   /* "aes-128-gcm" RFC 4106, 16-byte ICV, key 16 + salt 4 */
	CFG_CIPHER_AES_192_GCM,   /* "aes-192-gcm" key 24 + salt 4 */
	CFG_CIPHER_AES_256_GCM,   /* "aes-256-gcm" key 32 + salt 4 */
	CFG_CIPHER_AES_128_CBC,   /* "aes-128-cbc" RFC 3602 */
	CFG_CIPHER_AES_192_CBC,
	CFG_CIPHER_AES_256_CBC,
	CFG_CIPHER_AES_128_CTR,   /* "aes-128-ctr" RFC 3686, key 16 + nonce 4 */
	CFG_CIPHER_AES_192_CTR,
	CFG_CIPHER_AES_256_CTR,
	CFG_CIPHER_CHACHA20_POLY1305, /* "chacha20-poly1305" RFC 7634, key 32 + salt 4 */
	CFG_CIPHER__COUNT
};

enum cfg_integ {
	CFG_INTEG_NONE,            /* "none": only with AEAD ciphers */
	CFG_INTEG_HMAC_SHA1_96,    /* "hmac-sha1-96", key 20 */
	CFG_INTEG_HMAC_SHA256_128, /* "hmac-sha256-128", key 32 */
	CFG_INTEG_HMAC_SHA384_192, /* "hmac-sha384-192", key 48 */
	CFG_INTEG_HMAC_SHA512_256, /* "hmac-sha512-256", key 64 */
	CFG_INTEG_AES_128_GMAC,    /* "aes-128-gmac" RFC 4543, key 16 + salt 4, cipher must be null */
	CFG_INTEG_AES_192_GMAC,
	CFG_INTEG_AES_256_GMAC,
	CFG_INTEG__COUNT
};

struct cfg_alg_info {
	const char *name;
	uint8_t key_len;  /* bytes of key, not counting salt/nonce */
	uint8_t salt_len; /* 4 for GCM/CTR/ChaCha/GMAC, else 0 */
	uint8_t iv_len;   /* bytes of IV carried in each packet */
	uint8_t block;    /* padding alignment of the ciphertext */
	uint8_t icv_len;  /* for AEAD ciphers and integrity algorithms */
	bool aead;
};

const struct cfg_alg_info *cfg_cipher_info(enum cfg_cipher c);
const struct cfg_alg_info *cfg_integ_info(enum cfg_integ i);

enum cfg_sa_proto { CFG_SA_ESP, CFG_SA_AH };

enum cfg_df_mode { CFG_DF_COPY, CFG_DF_SET, CFG_DF_CLEAR };
/* RFC 4301 §4.1: what of an inbound packet besides the SPI must match the SA */
enum cfg_sa_lookup { CFG_LOOKUP_SPI, CFG_LOOKUP_SPI_DST, CFG_LOOKUP_SPI_DST_SRC };

/* RFC 4301 §4.4.2.1 lifetimes; 0 means no limit.  Soft raises an event for the
 * control process (rekey); hard makes the SA refuse traffic. */
struct cfg_lifetime {
	uint64_t soft_bytes, hard_bytes;
	uint64_t soft_packets, hard_packets;
	uint32_t soft_seconds, hard_seconds;
};

struct cfg_sa {
	char name[CFG_NAME_MAX]; /* optional; defaults to "sa[i]" */
	uint32_t spi;            /* 256..0xffffffff (RFC 4303: 1-255 reserved) */
	enum cfg_direction dir;
	enum cfg_sa_proto proto; /* "esp" (default) or "ah" */
	enum cfg_sa_mode mode;   /* default tunnel */
	struct cfg_addr tun_src, tun_dst; /* tunnel endpoints (required in tunnel mode) */
	uint8_t family;          /* AF_INET/AF_INET6 of the packets it protects ("family");
				  * default: the endpoints' family, IPv4 in transport mode */
	enum cfg_cipher cipher;
	enum cfg_integ integ;
	uint8_t key[CFG_KEY_MAX];   /* cipher key */
	uint8_t key_len;
	uint8_t salt[4];            /* last 4 bytes of the "key" hex for GCM/CTR/ChaCha */
	uint8_t auth_key[CFG_AUTH_KEY_MAX + 4]; /* "auth_key" hex (GMAC: key + salt) */
	uint8_t auth_key_len;
	uint32_t replay_window;     /* 0 disables; default 1024; max 4096 */
	bool esn;                   /* default false */
	uint64_t initial_seq;       /* first outbound sequence number - 1; default 0 (testing ESN/wrap) */
	bool udp_encap;             /* NAT-T (RFC 3948); default false */
	uint16_t udp_sport, udp_dport; /* default 4500/4500 */
	struct cfg_lifetime life;   /* "lifetime: {soft_bytes: .., hard_seconds: ..}" */
	/* outer header of tunnel SAs (RFC 4301 §5.1.2.1, RFC 6040) */
	bool copy_dscp;             /* "copy_dscp", default true: outbound DSCP from the inner header */
	bool ecn;                   /* "ecn", default true: RFC 6040 normal mode; false: compatibility
				     * mode (outer Not-ECT, inner untouched on decapsulation) */
	enum cfg_df_mode df;        /* "df: copy|set|clear", default copy (outer IPv4 DF bit) */
	uint16_t tfc_pad;           /* "tfc_pad": pad inner packets to this many bytes (RFC 4303
				     * §2.7), tunnel mode; 0 (default) = no TFC padding */
	enum cfg_sa_lookup lookup;  /* "lookup: spi|spi-dst|spi-dst-src", inbound tunnel SAs;
				     * default spi */
	int line;
};

enum cfg_crypto_driver { CFG_CRYPTO_AESNI_MB, CFG_CRYPTO_OPENSSL };

/* What happens to an IPv4 packet without DF that will not fit its egress MTU. */
enum cfg_fragment {
	CFG_FRAG_PRE,   /* "pre": fragment it (before encryption when it is to be protected,
			 * RFC 4301 §8.1 pre-fragmentation) */
	CFG_FRAG_NEVER, /* "never": drop it and answer ICMP fragmentation needed, as for DF */
};

/* Reassembly of fragments addressed to the gateway: rte_ip_frag holds at most this
 * many fragments of one packet (RTE_LIBRTE_IP_FRAG_MAX_FRAG in Debian's DPDK). */
#define CFG_REASM_FRAGS_PER_FLOW 8

struct secgw_config {
	char path[256];

	/* dataplane: */
	char file_prefix[CFG_PREFIX_MAX]; /* EAL --file-prefix; default "secgw" */
	uint16_t main_lcore;              /* default 0 */
	uint16_t workers[CFG_MAX_WORKERS];/* worker lcores, default [1] */
	uint16_t n_workers;
	int cpu_main, cpu_workers[CFG_MAX_WORKERS]; /* CPU to pin each lcore on; -1 = same as lcore id */
	bool hugepages;                   /* default true; false adds --no-huge */
	uint32_t memory_mb;               /* -m with --no-huge; default 512 */
	uint32_t mbufs;                   /* mbuf pool size; default 16384 */
	uint16_t burst;                   /* RX burst; default 32, max 64 */
	uint32_t idle_polls;              /* empty polls before backing off; default 256 */
	uint32_t idle_sleep_us;           /* sleep per empty poll once backed off; default 100; 0 = busy-poll */
	/* MTU (configs/README.md, "MTU and fragments"): */
	enum cfg_fragment fragment;       /* "fragment: pre|never", default pre */
	uint32_t icmp_rate;               /* ICMP errors per second and worker; default 1000; 0 = none */
	uint32_t icmp_burst;              /* token bucket depth; default 50 */
	uint32_t reasm_flows;             /* "reassembly_flows": packets being reassembled per worker;
					   * default min(256, mbufs / (2 * 8 * workers)) */
	uint32_t reasm_timeout_ms;        /* "reassembly_timeout_ms": default 1000 */

	/* crypto: */
	enum cfg_crypto_driver crypto_driver; /* "aesni_mb" (default) or "openssl" */

	struct cfg_port ports[CFG_MAX_PORTS];
	uint16_t n_ports;
	struct cfg_route *routes;
	uint32_t n_routes;
	struct cfg_policy *policies;
	uint32_t n_policies;
	struct cfg_sa *sas;
	uint32_t n_sas;
	uint32_t max_sas;      /* capacity of the SAD; default max(1024, n_sas) */
	uint32_t max_policies; /* capacity of the SPD; default max(1024, n_policies) */
};

/*
 * Load and validate a config.  On failure returns -1 with a single-line message
 * in err ("FILE:LINE:COL: FIELD: what is wrong"); on success returns 0 and the
 * caller owns *cfg (free with config_free; it wipes the keys).
 */
int config_load(const char *path, struct secgw_config *cfg, char err[CFG_ERR_MAX]);
/* Same, from a buffer; name is used in messages in place of the file name. */
int config_load_buffer(const char *name, const char *buf, size_t len,
		       struct secgw_config *cfg, char err[CFG_ERR_MAX]);
void config_free(struct secgw_config *cfg);

/* Helpers shared with the data plane and secgwctl. */
const char *cfg_addr_str(const struct cfg_addr *a, char *buf, size_t len);
int cfg_port_by_name(const struct secgw_config *cfg, const char *name);
/* The port's address of family (AF_INET / AF_INET6), from address or address6; NULL if none. */
const struct cfg_prefix *cfg_port_prefix(const struct cfg_port *p, uint8_t family);
const struct cfg_sa *cfg_sa_by_spi(const struct secgw_config *cfg, uint32_t spi,
				   enum cfg_direction dir);

/*
 * One SA / one policy as a YAML mapping (block or flow), with the fields and
 * checks of one entry of "sas:" / "policies:".  Messages read
 * "sa:LINE:COL: FIELD: what is wrong" ("policy:..." for a policy).  Absent
 * names stay empty; a policy's "sa:" is not looked up (the data plane does).
 * Return 0, or -1 with err set (and *sa wiped).
 */
int config_parse_sa(const char *text, struct cfg_sa *sa, char err[CFG_ERR_MAX]);
int config_parse_policy(const char *text, struct cfg_policy *pol, char err[CFG_ERR_MAX]);

#endif
