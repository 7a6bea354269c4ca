/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * secgw-ike's control socket as secgwctl and secgw-ike both see it (the
 * requests and replies are described in iked/iked_ctl.h): a SOCK_SEQPACKET
 * UNIX socket beside secgw-dp's control socket (secgw-ike --dp PREFIX), or
 * wherever secgw-ike --ctl PATH put it (secgwctl -s PATH ike ...).
 */
#ifndef SECGW_IKED_CTL_PROTO_H
#define SECGW_IKED_CTL_PROTO_H

#define IKED_CTL_SOCK_NAME "secgw-ike.ctl"
#define IKED_CTL_SOCK_FMT "/var/run/dpdk/%s/" IKED_CTL_SOCK_NAME
#define IKED_CTL_MSG_MAX 65536

#endif
