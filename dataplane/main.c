/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * secgw-dp: the data plane process.  The config decides the EAL arguments, so
 * an operator writes one file; extra EAL arguments may follow "--".
 */
#include <getopt.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_lcore.h>

#include "dp.h"
#include "setup.h"

#define EAL_ARGS_MAX (16 + 2 * CFG_MAX_PORTS + 64)
#define EAL_ARG_LEN 512

struct dp dp;

static void
usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s -c FILE [--check] [-- EXTRA_EAL_ARGS...]\n"
		"  -c, --config FILE  gateway configuration (YAML)\n"
		"      --check        validate the configuration and exit\n",
		prog);
}

static void
on_signal(int sig)
{
	(void)sig;
	dp.stop = true;
}

struct eal_args {
	int argc;
	char *argv[EAL_ARGS_MAX];
	char buf[EAL_ARGS_MAX][EAL_ARG_LEN];
};

static void __rte_format_printf(2, 3)
eal_add(struct eal_args *a, const char *fmt, ...)
{
	va_list ap;

	if (a->argc >= EAL_ARGS_MAX - 1)
		return;
	va_start(ap, fmt);
	vsnprintf(a->buf[a->argc], EAL_ARG_LEN, fmt, ap);
	va_end(ap);
	a->argv[a->argc] = a->buf[a->argc];
	a->argc++;
}

static void
eal_args_build(const struct secgw_config *cfg, const char *prog, int extra_argc,
	       char **extra_argv, struct eal_args *a)
{
	char lcores[EAL_ARG_LEN];
	size_t off;
	uint16_t i;
	int cpu;

	eal_add(a, "%s", prog);
	off = snprintf(lcores, sizeof(lcores), "%u@%d", cfg->main_lcore,
		       cfg->cpu_main >= 0 ? cfg->cpu_main : cfg->main_lcore);
	for (i = 0; i < cfg->n_workers && off < sizeof(lcores); i++) {
		cpu = cfg->cpu_workers[i] >= 0 ? cfg->cpu_workers[i] : cfg->workers[i];
		off += snprintf(lcores + off, sizeof(lcores) - off, ",%u@%d", cfg->workers[i], cpu);
	}
	eal_add(a, "--lcores=%s", lcores);
	eal_add(a, "--main-lcore=%u", cfg->main_lcore);
	eal_add(a, "--no-pci");
	eal_add(a, "--file-prefix=%s", cfg->file_prefix);
	if (!cfg->hugepages) {
		eal_add(a, "--no-huge");
		eal_add(a, "-m");
		eal_add(a, "%u", cfg->memory_mb);
	}
	for (i = 0; i < cfg->n_ports; i++)
		eal_add(a, "--vdev=%s", cfg->ports[i].devargs);
	eal_add(a, "--vdev=%s", cfg->crypto_driver == CFG_CRYPTO_OPENSSL ? "crypto_openssl0" :
									   "crypto_aesni_mb0");
	for (i = 0; i < extra_argc; i++)
		eal_add(a, "%s", extra_argv[i]);
	a->argv[a->argc] = NULL;
}

static int
run(void)
{
	uint16_t i;
	int rc = 0;

	for (i = 0; i < dp.n_workers; i++) {
		if (rte_eal_remote_launch(dp_worker_main, &dp.workers[i],
					  dp.workers[i].lcore) != 0) {
			fprintf(stderr, "secgw-dp: cannot launch worker on lcore %u\n",
				dp.workers[i].lcore);
			dp.stop = true;
			rc = 1;
			break;
		}
	}
	if (rc == 0) {
		printf("secgw-dp: ready\n");
		fflush(stdout);
	}
	while (!dp.stop) {
		dp_mgmt_poll();
		rte_delay_us_sleep(200);
	}
	rte_eal_mp_wait_lcore();
	return rc;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'},
		{"check", no_argument, NULL, 'k'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	static struct secgw_config cfg;
	static struct eal_args eal;
	char err[CFG_ERR_MAX];
	const char *path = NULL;
	bool check = false;
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			path = optarg;
			break;
		case 'k':
			check = true;
			break;
		case 'h':
			usage(argv[0]);
			return 0;
		default:
			usage(argv[0]);
			return 1;
		}
	}
	if (path == NULL) {
		usage(argv[0]);
		return 1;
	}
	if (config_load(path, &cfg, err) != 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	if (check) {
		printf("%s: ok\n", path);
		config_free(&cfg);
		return 0;
	}

	eal_args_build(&cfg, argv[0], argc - optind, argv + optind, &eal);
	if (rte_eal_init(eal.argc, eal.argv) < 0) {
		fprintf(stderr, "secgw-dp: EAL initialisation failed\n");
		config_free(&cfg);
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);

	dp.cfg = &cfg;
	rc = dp_setup(err, sizeof(err));
	if (rc != 0)
		fprintf(stderr, "secgw-dp: %s\n", err);
	else if (dp_telemetry_init() != 0) {
		fprintf(stderr, "secgw-dp: telemetry registration failed\n");
		rc = 1;
	} else
		rc = run();

	dp_teardown();
	config_free(&cfg);
	rte_eal_cleanup();
	return rc == 0 ? 0 : 1;
}
