/* SPDX-License-Identifier: BSD-3-Clause */
/* Loader of the "ike:" section (config_ike.h). */
#include "config_conn.h"
#include "config_ike.h"
#include "config_value.h"
#include "config_yaml.h"

static const char *const ike_keys[] = {
	"cookie_threshold", "half_open_per_source", "half_open_max", NULL,
};

int config_ike_load_buffer(const char *name, const char *buf, size_t len, struct cfg_ike *out,
			   char err[CFG_ERR_MAX])
{
	struct cfg_walk w = {.name = name, .err = err};
	struct cfg_obj o;
	int rc = -1;

	*out = (struct cfg_ike){CFG_IKE_COOKIE_THRESHOLD, CFG_IKE_HALF_OPEN_PER_SOURCE,
				CFG_IKE_HALF_OPEN_MAX};
	struct ynode *root = config_parse_map(&w, buf, len);
	if (root == NULL)
		return -1;
	const struct ynode *ike = ymap_get(root, "ike");
	if (obj_open(&w, ike, root, "ike", ike_keys, &o) < 0 ||
	    obj_u32(&o, "cookie_threshold", 0, 1u << 20, &out->cookie_threshold) < 0 ||
	    obj_u32(&o, "half_open_per_source", 1, 1u << 20, &out->half_open_per_source) < 0 ||
	    obj_u32(&o, "half_open_max", 1, 1u << 20, &out->half_open_max) < 0)
		goto out;
	rc = 0;
out:
	ytree_free(root);
	return rc;
}

static int parse_ike(const char *name, const char *buf, size_t len, void *ctx,
		     char err[CFG_ERR_MAX])
{
	return config_ike_load_buffer(name, buf, len, ctx, err);
}

int config_ike_load(const char *path, struct cfg_ike *out, char err[CFG_ERR_MAX])
{
	return config_file_parse(path, err, parse_ike, out);
}
