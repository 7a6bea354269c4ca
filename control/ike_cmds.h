/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * secgwctl ike list | ike initiate NAME | ike terminate NAME, over secgw-ike's
 * control socket (iked_ctl_proto.h).
 *
 * Concurrency: none (secgwctl is single-threaded).
 */
#ifndef SECGW_IKE_CMDS_H
#define SECGW_IKE_CMDS_H

#include <stddef.h>

/* argv[0] is "ike"; sock_path the socket (NULL: the one of prefix).
 * Returns 0 or -1 (message printed). */
int ike_command(const char *prefix, const char *sock_path, int json, int argc, char **argv);

/* Split one reply line "KIND k=v k=v ..." in place: *kind, and up to cap
 * keys/values; returns the number of pairs, or -1 when malformed. */
int ike_reply_split(char *line, char **kind, char **keys, char **vals, size_t cap);

#endif
