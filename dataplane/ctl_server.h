/* SPDX-License-Identifier: BSD-3-Clause */
/* Control channel server; main lcore only (see control/ctl_proto.h). */
#ifndef SECGW_CTL_SERVER_H
#define SECGW_CTL_SERVER_H

#include <stddef.h>

int dp_ctl_open(char *err, size_t len);
void dp_ctl_poll(void);
void dp_ctl_close(void);

#endif
