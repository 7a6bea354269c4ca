/* SPDX-License-Identifier: BSD-3-Clause */
#include "ike_msg_err.h"

static const char *const names[IKE_MSG_ERR_COUNT] = {
#define IKE_MSG_ERR_NAME(id, name) [IKE_MSG_E_##id] = name,
	IKE_MSG_ERRORS(IKE_MSG_ERR_NAME)
#undef IKE_MSG_ERR_NAME
};

const char *ike_msg_err_name(enum ike_msg_err err)
{
	/* err may come from a cast integer (a counter index, a fuzzer): check the range. */
	if ((unsigned)err >= IKE_MSG_ERR_COUNT)
		return "unknown";
	return names[err];
}
