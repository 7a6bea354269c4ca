/* SPDX-License-Identifier: BSD-3-Clause */
/* Child SA -> secgw-dp SAs and policies (iked_dp.h). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "iked_dp.h"

#define SNIPPET_MAX 1024

static const char *cipher_name(uint16_t encr, uint16_t bits)
{
	switch (encr) {
	case IKE_ENCR_AES_GCM_16:
		return bits == 128 ? "aes-128-gcm" : bits == 192 ? "aes-192-gcm"
				   : bits == 256 ? "aes-256-gcm" : NULL;
	case IKE_ENCR_AES_CBC:
		return bits == 128 ? "aes-128-cbc" : bits == 192 ? "aes-192-cbc"
				   : bits == 256 ? "aes-256-cbc" : NULL;
	case IKE_ENCR_CHACHA20_POLY1305:
		return "chacha20-poly1305";
	}
	return NULL;
}

static const char *integ_name(uint16_t integ)
{
	switch (integ) {
	case IKE_INTEG_NONE: return "none";
	case IKE_INTEG_HMAC_SHA1_96: return "hmac-sha1-96";
	case IKE_INTEG_HMAC_SHA2_256_128: return "hmac-sha256-128";
	case IKE_INTEG_HMAC_SHA2_384_192: return "hmac-sha384-192";
	case IKE_INTEG_HMAC_SHA2_512_256: return "hmac-sha512-256";
	}
	return NULL;
}

static void hex(char *out, const struct ike_key *k)
{
	for (size_t i = 0; i < k->len; i++)
		sprintf(out + 2 * i, "%02x", k->b[i]);
	out[2 * k->len] = '\0';
}

static const char *ip_str(uint32_t ip, char *buf)
{
	return inet_ntop(AF_INET, &ip, buf, INET_ADDRSTRLEN);
}

/* One SA as a YAML flow mapping, parsed by the loader's SA entry reader. */
static int one_sa(const struct ike_child_sa *c, bool outbound, struct cfg_sa *sa,
		  char err[CFG_ERR_MAX])
{
	char text[SNIPPET_MAX], key[2 * IKE_KEY_MAX + 1], akey[2 * IKE_KEY_MAX + 1];
	char src[INET_ADDRSTRLEN], dst[INET_ADDRSTRLEN], udp[64] = "";
	const char *cipher = cipher_name(c->encr, c->encr_key_bits);
	const char *integ = integ_name(c->integ);
	const struct ike_key *ek = outbound ? &c->encr_out : &c->encr_in;
	const struct ike_key *ak = outbound ? &c->integ_out : &c->integ_in;
	uint32_t spi = outbound ? c->spi_out : c->spi_in;

	if (cipher == NULL || integ == NULL) {
		snprintf(err, CFG_ERR_MAX, "transforms %u/%u/%u have no data plane algorithm",
			 c->encr, c->encr_key_bits, c->integ);
		return -1;
	}
	hex(key, ek);
	hex(akey, ak);
	if (c->udp_encap)
		snprintf(udp, sizeof(udp), ", udp_encap: true, udp_sport: %u, udp_dport: %u",
			 outbound ? c->local_port : c->remote_port,
			 outbound ? c->remote_port : c->local_port);
	int n = snprintf(text, sizeof(text),
			 "{name: ike-%s-%08x, spi: 0x%08x, direction: %s, src: %s, dst: %s, "
			 "cipher: %s, key: %s%s%s%s%s}",
			 outbound ? "out" : "in", spi, spi, outbound ? "out" : "in",
			 ip_str(outbound ? c->local_ip : c->remote_ip, src),
			 ip_str(outbound ? c->remote_ip : c->local_ip, dst), cipher, key,
			 c->integ != IKE_INTEG_NONE ? ", integ: " : "",
			 c->integ != IKE_INTEG_NONE ? integ : "",
			 c->integ != IKE_INTEG_NONE ? ", auth_key: " : "",
			 c->integ != IKE_INTEG_NONE ? akey : "");
	int rc = -1;
	if (n > 0 && (size_t)n + strlen(udp) + 1 < sizeof(text)) {
		/* the udp fields go inside the closing brace */
		text[n - 1] = '\0';
		strcat(text, udp);
		strcat(text, "}");
		rc = config_parse_sa(text, sa, err);
	} else {
		snprintf(err, CFG_ERR_MAX, "SA record too long");
	}
	OPENSSL_cleanse(text, sizeof(text));
	OPENSSL_cleanse(key, sizeof(key));
	OPENSSL_cleanse(akey, sizeof(akey));
	return rc;
}

int iked_child_to_sas(const struct ike_child_sa *c, const struct cfg_lifetime *life,
		      struct cfg_sa *out, struct cfg_sa *in, char err[CFG_ERR_MAX])
{
	if (one_sa(c, true, out, err) < 0 || one_sa(c, false, in, err) < 0)
		return -1;
	if (life != NULL)
		out->life = in->life = *life;
	return 0;
}

int iked_ts_prefix(const struct ike_tsv *t, char *buf, size_t len)
{
	char a[INET_ADDRSTRLEN];
	uint32_t span = t->end - t->start;
	int plen = 32;

	while (plen > 0 && span >> (32 - plen) != 0)
		plen--;
	uint32_t mask = plen == 0 ? 0 : ~0u << (32 - plen);
	if ((t->start & ~mask) != 0 || (t->start | ~mask) != t->end)
		return -1;
	snprintf(buf, len, "%s/%d", ip_str(htonl(t->start), a), plen);
	return 0;
}

static bool full_ports(const struct ike_tsv *t)
{
	return t->port_lo == 0 && t->port_hi == 65535;
}

/* The protocol and port fields of a policy from the narrowed selectors
 * (src_ts is the policy's source side): "" for any protocol, all ports. */
static int l4_fields(const struct ike_tsv *src_ts, const struct ike_tsv *dst_ts, char *buf,
		     size_t len, char err[CFG_ERR_MAX])
{
	uint8_t proto = src_ts->proto != 0 ? src_ts->proto : dst_ts->proto;
	bool ports = proto == IPPROTO_TCP || proto == IPPROTO_UDP || proto == IPPROTO_SCTP;

	buf[0] = '\0';
	if (src_ts->proto != 0 && dst_ts->proto != 0 && src_ts->proto != dst_ts->proto) {
		snprintf(err, CFG_ERR_MAX, "traffic selectors of protocols %u and %u",
			 src_ts->proto, dst_ts->proto);
		return -1;
	}
	/* The SPD matches ports of TCP, UDP and SCTP only (ICMP type/code ranges
	 * are not expressible): a narrower range elsewhere cannot be installed. */
	if (!ports && (!full_ports(src_ts) || !full_ports(dst_ts))) {
		snprintf(err, CFG_ERR_MAX, "port ranges with protocol %u are not supported", proto);
		return -1;
	}
	if (proto != 0)
		snprintf(buf, len, ", proto: %u", proto);
	if (ports)
		snprintf(buf + strlen(buf), len - strlen(buf), ", sport: \"%u-%u\", dport: \"%u-%u\"",
			 src_ts->port_lo, src_ts->port_hi, dst_ts->port_lo, dst_ts->port_hi);
	return 0;
}

int iked_child_to_policies(const struct ike_child_sa *c, struct cfg_policy *out,
			   struct cfg_policy *in, char err[CFG_ERR_MAX])
{
	char local[48], remote[48], l4[96], text[SNIPPET_MAX];

	if (iked_ts_prefix(&c->ts_local, local, sizeof(local)) < 0 ||
	    iked_ts_prefix(&c->ts_remote, remote, sizeof(remote)) < 0) {
		snprintf(err, CFG_ERR_MAX, "traffic selectors are not prefixes");
		return -1;
	}
	if (l4_fields(&c->ts_local, &c->ts_remote, l4, sizeof(l4), err) < 0)
		return -1;
	snprintf(text, sizeof(text),
		 "{name: ike-out-%08x, direction: out, src: %s, dst: %s%s, action: protect, "
		 "sa: 0x%08x}",
		 c->spi_out, local, remote, l4, c->spi_out);
	if (config_parse_policy(text, out, err) < 0)
		return -1;
	if (l4_fields(&c->ts_remote, &c->ts_local, l4, sizeof(l4), err) < 0)
		return -1;
	snprintf(text, sizeof(text),
		 "{name: ike-in-%08x, direction: in, src: %s, dst: %s%s, action: protect, "
		 "sa: 0x%08x}",
		 c->spi_in, remote, local, l4, c->spi_in);
	return config_parse_policy(text, in, err);
}

int iked_dp_install(struct ctl_client *ctl, const struct ike_child_sa *c,
		    const struct cfg_lifetime *life, uint32_t prio_out, uint32_t prio_in, char *err,
		    size_t len)
{
	struct cfg_sa out, in;
	struct cfg_policy pout, pin;
	char cerr[CFG_ERR_MAX];
	int rc = -1;

	if (iked_child_to_sas(c, life, &out, &in, cerr) < 0 ||
	    iked_child_to_policies(c, &pout, &pin, cerr) < 0) {
		snprintf(err, len, "%s", cerr);
		goto out;
	}
	pout.priority = prio_out;
	pin.priority = prio_in;
	if (ctl == NULL) {
		rc = 0;
		goto out;
	}
	/* Inbound first: the peer may send as soon as it has its own half. */
	if (ctl_sa_add(ctl, &in) < 0 || ctl_sa_add(ctl, &out) < 0 ||
	    ctl_policy_add(ctl, &pin) < 0 || ctl_policy_add(ctl, &pout) < 0) {
		snprintf(err, len, "%s", ctl->err);
		goto out;
	}
	rc = 0;
out:
	OPENSSL_cleanse(&out, sizeof(out));
	OPENSSL_cleanse(&in, sizeof(in));
	return rc;
}

void iked_dp_remove(struct ctl_client *ctl, const struct ike_child_sa *c)
{
	char name[CFG_NAME_MAX];

	if (ctl == NULL)
		return;
	/* Best effort: whatever is already gone stays gone.  Inbound first: after
	 * a rekey the peer already sends on the new SA, whose inbound policy wins
	 * only once this one is gone (each removal is one SPD rebuild). */
	snprintf(name, sizeof(name), "ike-in-%08x", c->spi_in);
	ctl_policy_del(ctl, name);
	snprintf(name, sizeof(name), "ike-out-%08x", c->spi_out);
	ctl_policy_del(ctl, name);
	ctl_sa_del(ctl, c->spi_out, CFG_DIR_OUT);
	ctl_sa_del(ctl, c->spi_in, CFG_DIR_IN);
}
