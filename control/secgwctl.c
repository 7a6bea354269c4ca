/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * secgwctl: operator CLI for a running secgw-dp.
 *
 *   secgwctl [-p FILE_PREFIX | -s SOCKET_PATH] [--json] stats [--all] | sa list | ports
 *   secgwctl [-p FILE_PREFIX] sa add 'YAML' | sa del SPI in|out
 *   secgwctl [-p FILE_PREFIX] [--json] policy add 'YAML' | policy del NAME | policy list
 *   secgwctl [-p FILE_PREFIX] batch [--window N] [--stats]  < commands
 *   secgwctl [-p FILE_PREFIX | -s SOCKET_PATH] [--json] ike list | ike stats |
 *            ike initiate NAME | ike terminate NAME
 *
 * It speaks the DPDK telemetry v2 protocol over plain sockets (no DPDK linked):
 * connect a SOCK_SEQPACKET UNIX socket at <runtime dir>/dpdk/<prefix>/dpdk_telemetry.v2,
 * read the hello ({"version": .., "pid": .., "max_output_len": N}), write the
 * command ("/secgw/stats"), read one message {"/secgw/stats": {...}}.  The reply
 * shapes are those of dataplane/CONTRACT.md.  Exit 0 on success, 1 on any error
 * (bad usage, no socket, data plane not running, unknown command, malformed
 * reply), with one message on stderr.
 *
 * The commands that change SAs and policies, and sa list and policy list, use
 * the data plane's control socket instead (ctl_proto.h, via ctl_client.c):
 * the lists page through it however long they are, where one telemetry reply
 * holds a few dozen SAs.  With -s, sa list uses the control socket in the
 * telemetry socket's directory.  The YAML argument of an add is one entry of
 * a config file's sas: / policies:, checked here by the config loader before
 * it is sent.  Adds and deletes print "ok" and exit 0, or exit 1 with the data
 * plane's refusal on stderr.
 *
 * batch reads such edits from stdin, one per line ("sa add {...}",
 * "sa del 0x3001 out", "policy add {...}", "policy del NAME"; blank lines and
 * # comments skipped) and pipelines them over one connection, up to --window
 * in flight, matching replies by seq.  Each refused line prints
 * "line N: why" on stderr and makes the exit status 1; the rest go on.
 * --stats prints counts, elapsed time, ops/s and the median and 99th
 * percentile of the send-to-reply latency.
 *
 * The ike commands talk to secgw-ike, not secgw-dp: its control socket
 * (iked_ctl_proto.h) beside the data plane's (secgw-ike --dp FILE_PREFIX), or
 * the one given with -s (secgw-ike --ctl PATH).  ike list prints the IKE SAs
 * and their Child SAs; initiate and terminate print "ok".
 *
 * This file parses the arguments and dispatches; the commands live in
 * telemetry_cmds.c (over tel_client.c), edit_cmds.c (over ctl_client.c) and
 * ctl_batch.c, and share cli_out.c for messages and tables.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include "cli_out.h"
#include "ctl_batch.h"
#include "ctl_proto.h"
#include "edit_cmds.h"
#include "ike_cmds.h"
#include "iked_ctl_proto.h"
#include "telemetry_cmds.h"

#define DEFAULT_PREFIX "secgw"

static void
short_usage(void)
{
	fprintf(stderr,
		"usage: %s [-p FILE_PREFIX | -s SOCKET_PATH] [--json] stats [--all] | sa list | ports\n"
		"       %s [-p FILE_PREFIX] [--json] sa add YAML | sa del SPI in|out |\n"
		"                 policy add YAML | policy del NAME | policy list\n"
		"       %s [-p FILE_PREFIX] batch [--window N] [--stats] < COMMANDS\n"
		"       %s [-p FILE_PREFIX | -s SOCKET_PATH] [--json] ike list |\n"
		"                 ike initiate NAME | ike terminate NAME\n"
		"(%s --help for more)\n",
		cli_prog, cli_prog, cli_prog, cli_prog, cli_prog);
}

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: %s [-p FILE_PREFIX | -s SOCKET_PATH] [--json] COMMAND\n"
		"commands:\n"
		"  stats [--all]   data-plane counters (non-zero ones unless --all)\n"
		"  sa list         security associations with their counters\n"
		"  ports           ports with their counters\n"
		"  sa add YAML     install an SA, e.g. '{spi: 0x3001, direction: out, src: ..,\n"
		"                  dst: .., cipher: aes-128-gcm, key: 0x..}' (fields as in sas:)\n"
		"  sa del SPI DIR  remove the SA with SPI (hex 0x.. or decimal), DIR in or out\n"
		"  policy add YAML add a named policy (fields as in policies:, name required)\n"
		"  policy del NAME remove a policy (config ones too, e.g. 'policies[2]')\n"
		"  policy list     policies in the running SPD\n"
		"  batch           sa add/del and policy add/del commands from stdin, one a\n"
		"                  line (as above without \"secgwctl\"), pipelined\n"
		"  ike list        secgw-ike's IKE SAs and their Child SAs\n"
		"  ike stats       secgw-ike's counters: half-open SAs, COOKIEs, drops\n"
		"  ike initiate NAME   start the IKE SA of connection NAME\n"
		"  ike terminate NAME  delete the IKE SA(s) of connection NAME (no retry)\n"
		"                  (ike: secgw-ike's socket /var/run/dpdk/P/" IKED_CTL_SOCK_NAME ",\n"
		"                  or -s its --ctl PATH)\n"
		"options:\n"
		"  -p, --prefix P  DPDK file prefix of the data plane (default \"%s\")\n"
		"  -s, --socket S  telemetry socket path (overrides -p; sa list uses the\n"
		"                  control socket " CTL_SOCK_NAME " beside it; not for add/del/policy)\n"
		"  -j, --json      print the result as a JSON object\n"
		"  -a, --all       with stats: print zero counters too\n"
		"  -w, --window N  with batch: requests in flight (1-%d, default %d)\n"
		"  -S, --stats     with batch: print counts, ops/s and latency at the end\n"
		"  -h, --help      this text\n",
		cli_prog, DEFAULT_PREFIX, BATCH_WINDOW_MAX, BATCH_WINDOW_DEFAULT);
}

/*
 * The control socket of the data plane whose telemetry socket is tel_sock:
 * the data plane keeps both in its runtime directory (dataplane/CONTRACT.md),
 * so sa list, which pages over the control socket, honours -s too.
 */
static int
ctl_path_beside(const char *tel_sock, char *out, size_t cap)
{
	const char *slash = strrchr(tel_sock, '/');
	int dir_len = slash != NULL ? (int)(slash - tel_sock) + 1 : 0;
	int n = snprintf(out, cap, "%.*s%s", dir_len, tel_sock, CTL_SOCK_NAME);

	if (n < 0 || (size_t)n >= cap) {
		err_msg("socket path too long: %s", tel_sock);
		return -1;
	}
	return 0;
}

/* ---- main ---------------------------------------------------------------- */

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "prefix", required_argument, NULL, 'p' },
		{ "socket", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "all", no_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ "window", required_argument, NULL, 'w' },
		{ "stats", no_argument, NULL, 'S' },
		{ NULL, 0, NULL, 0 },
	};
	const char *prefix = NULL, *sock = NULL;
	char ctl_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	int json = 0, all = 0, opt, rc, window = -1, bstats = 0;
	bool sa_list;
	char *end;
	enum tel_command cmd;

	while ((opt = getopt_long(argc, argv, "p:s:jahw:S", opts, NULL)) != -1) {
		switch (opt) {
		case 'p': prefix = optarg; break;
		case 's': sock = optarg; break;
		case 'j': json = 1; break;
		case 'a': all = 1; break;
		case 'h': usage(stdout); return 0;
		case 'S': bstats = 1; break;
		case 'w':
			errno = 0;
			window = (int)strtol(optarg, &end, 10);
			if (errno != 0 || end == optarg || *end != '\0' || window < 1 ||
			    window > BATCH_WINDOW_MAX) {
				err_msg("--window: expected 1 to %d, got '%s'", BATCH_WINDOW_MAX,
					optarg);
				return 1;
			}
			break;
		default: short_usage(); return 1;
		}
	}
	if (prefix != NULL && sock != NULL) {
		err_msg("-p and -s are mutually exclusive");
		return 1;
	}
	argc -= optind;
	argv += optind;
	if (argc >= 1 && strcmp(argv[0], "ike") == 0) {
		if (all) {
			err_msg("--all applies to stats only");
			return 1;
		}
		rc = ike_command(prefix != NULL ? prefix : DEFAULT_PREFIX, sock, json, argc, argv);
		if (rc == 0 && fflush(stdout) == EOF) {
			err_msg("writing output: %s", strerror(errno));
			rc = -1;
		}
		return rc == 0 ? 0 : 1;
	}
	if (argc == 1 && strcmp(argv[0], "batch") == 0) {
		if (sock != NULL || all || json) {
			err_msg("%s does not apply to batch",
				sock != NULL ? "-s" : all ? "--all" : "--json");
			return 1;
		}
		rc = cmd_batch(prefix != NULL ? prefix : DEFAULT_PREFIX,
			       window > 0 ? (uint32_t)window : BATCH_WINDOW_DEFAULT, bstats);
		if (fflush(stdout) == EOF) {
			err_msg("writing output: %s", strerror(errno));
			rc = -1;
		}
		return rc == 0 ? 0 : 1;
	}
	if (window > 0 || bstats) {
		err_msg("%s applies to batch only", bstats ? "--stats" : "--window");
		return 1;
	}
	sa_list = argc == 2 && strcmp(argv[0], "sa") == 0 && strcmp(argv[1], "list") == 0;
	if (sa_list ||
	    (argc == 3 && strcmp(argv[0], "sa") == 0 && strcmp(argv[1], "add") == 0) ||
	    (argc == 4 && strcmp(argv[0], "sa") == 0 && strcmp(argv[1], "del") == 0) ||
	    (argc == 3 && strcmp(argv[0], "policy") == 0 &&
	     (strcmp(argv[1], "add") == 0 || strcmp(argv[1], "del") == 0)) ||
	    (argc == 2 && strcmp(argv[0], "policy") == 0 && strcmp(argv[1], "list") == 0)) {
		if (all) {
			err_msg("--all applies to stats only");
			return 1;
		}
		if (sock != NULL && !sa_list) {
			err_msg("-s applies to stats, sa list and ports only");
			return 1;
		}
		if (json && strcmp(argv[1], "list") != 0) {
			err_msg("--json applies to lists only");
			return 1;
		}
		if (sock != NULL && ctl_path_beside(sock, ctl_path, sizeof(ctl_path)) < 0)
			return 1;
		rc = edit_command(prefix != NULL ? prefix : DEFAULT_PREFIX,
				  sock != NULL ? ctl_path : NULL, json, argv);
		if (rc == 0 && fflush(stdout) == EOF) {
			err_msg("writing output: %s", strerror(errno));
			rc = -1;
		}
		return rc == 0 ? 0 : 1;
	}
	if (argc == 1 && strcmp(argv[0], "stats") == 0) {
		cmd = TEL_STATS;
	} else if (argc == 1 && strcmp(argv[0], "ports") == 0) {
		cmd = TEL_PORTS;
	} else {
		if (argc == 0)
			err_msg("missing command");
		else
			err_msg("unknown command '%s%s%s'", argv[0], argc > 1 ? " " : "",
				argc > 1 ? argv[1] : "");
		short_usage();
		return 1;
	}
	if (all && cmd != TEL_STATS) {
		err_msg("--all applies to stats only");
		return 1;
	}

	if (sock == NULL && prefix == NULL)
		prefix = DEFAULT_PREFIX;
	rc = tel_command(cmd, sock, prefix, json, all);
	if (rc == 0 && fflush(stdout) == EOF) {
		err_msg("writing output: %s", strerror(errno));
		rc = -1;
	}
	return rc == 0 ? 0 : 1;
}
