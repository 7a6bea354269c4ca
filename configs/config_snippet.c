/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One SA or one policy given as a YAML mapping on its own, for the control
 * channel ("secgwctl sa add '{spi: 0x3001, direction: out, ...}'").  The
 * fields and checks are those of one entry of "sas:" / "policies:" (the same
 * readers, in config_sa.c); messages name the snippet "sa" or "policy" in
 * place of a file, with the field at top level:
 *   sa:1:23: key: expected 20 bytes of hex for aes-128-gcm, got 16
 *
 * Concurrency: none; each call is self-contained.
 */
#include <string.h>

#include "config.h"
#include "config_internal.h"
#include "config_value.h"
#include "config_yaml.h"

/* Parse text into its tree; -1 with err set unless the root is a mapping. */
static struct ynode *snippet_tree(const char *name, const char *text, const char *what,
				  char err[CFG_ERR_MAX])
{
	struct ynode *root;

	err[0] = '\0';
	root = ytree_parse(name, text, strlen(text), err);
	if (root == NULL)
		return NULL;
	if (ynode_is_null(root) || root->kind != YNODE_MAP) {
		yerr(err, name, root->line, root->col, "document", "expected a mapping of %s "
		     "fields, got %s", what, ynode_kind_name(root));
		ytree_free(root);
		return NULL;
	}
	return root;
}

int config_parse_sa(const char *text, struct cfg_sa *sa, char err[CFG_ERR_MAX])
{
	struct cfg_walk w = { .name = "sa", .err = err };
	struct ynode *root;
	int rc;

	memset(sa, 0, sizeof(*sa));
	root = snippet_tree(w.name, text, "SA", err);
	if (root == NULL)
		return -1;
	rc = cfg_read_sa_entry(&w, root, "", sa);
	ytree_free(root); /* wipes the scalars, which hold the keys */
	if (rc < 0)
		explicit_bzero(sa, sizeof(*sa));
	return rc;
}

int config_parse_policy(const char *text, struct cfg_policy *pol, char err[CFG_ERR_MAX])
{
	struct cfg_walk w = { .name = "policy", .err = err };
	struct ynode *root;
	int rc;

	memset(pol, 0, sizeof(*pol));
	root = snippet_tree(w.name, text, "policy", err);
	if (root == NULL)
		return -1;
	rc = cfg_read_policy_entry(&w, NULL, root, "", pol);
	ytree_free(root);
	return rc;
}
