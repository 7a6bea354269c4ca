/* SPDX-License-Identifier: BSD-3-Clause */
/* IKE between the ports and the IKE daemon (control/ike_relay_proto.h).  Main lcore only. */
#ifndef SECGW_IKE_RELAY_H
#define SECGW_IKE_RELAY_H

#include <stddef.h>

#include <rte_mbuf.h>

/* Bind the data plane's relay socket; -1 with a message in err. */
int dp_ike_relay_open(char *err, size_t len);
void dp_ike_relay_close(void);
/* A punted IKE packet (IP header first, l3_len = its UDP header): to the daemon (consumes m). */
void dp_ike_relay_punted(struct rte_mbuf *m);
/* The daemon's datagrams, as packets for worker 0 to route. */
void dp_ike_relay_poll(void);

#endif
