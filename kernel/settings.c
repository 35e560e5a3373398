// SPDX-License-Identifier: GPL-2.0
/*
 * sernet: the table of settings (settings_table.h) and copying settings
 * of a struct sernet_config through it.
 */
#include <linux/bits.h>
#include <linux/build_bug.h>
#include <linux/cache.h>
#include <linux/compiler.h>
#include <linux/string.h>

#include "settings.h"

static const char * const sernet_parity_names[] = SERNET_PARITY_NAMES;
static const char * const sernet_flow_names[] = SERNET_FLOW_NAMES;
static const char * const sernet_proto_names[] = SERNET_PROTO_NAMES;
static const char * const sernet_full_names[] = SERNET_FULL_NAMES;
static const char * const sernet_onoff_names[] = SERNET_ONOFF_NAMES;

static_assert(ARRAY_SIZE(sernet_parity_names) == SERNET_PARITY_MAX + 1);
static_assert(ARRAY_SIZE(sernet_flow_names) == SERNET_FLOW_MAX + 1);
static_assert(ARRAY_SIZE(sernet_proto_names) == SERNET_PROTO_MAX + 1);
static_assert(ARRAY_SIZE(sernet_full_names) == SERNET_FULL_MAX + 1);
static_assert(ARRAY_SIZE(sernet_onoff_names) == 2);
/* a setting is a bit of the masks, BIT_ULL(SERNET_A_...) */
static_assert(SERNET_A_MAX < 64);

struct sernet_setting sernet_settings[SERNET_S_COUNT] __ro_after_init = {
#define SERNET_SETTING(a, t, f, file, how, dflt, lo, hi, nm)		\
	[SERNET_S_##a] = {						\
		.range = { .min = (lo), .max = (hi) },			\
		.names = (nm),						\
		.def = (dflt),						\
		.attr = SERNET_A_##a,					\
		.offset = offsetof(struct sernet_config, f),		\
		.type = NLA_##t,					\
		.apply = SERNET_APPLY_##how,				\
	},
#include "settings_table.h"
#undef SERNET_SETTING
};

u64 sernet_settings_mask(enum sernet_apply apply)
{
	const struct sernet_setting *s;
	u64 mask = 0;

	for (s = sernet_settings; s < SERNET_SETTINGS_END; s++)
		if (s->apply == apply)
			mask |= BIT_ULL(s->attr);
	return mask;
}

void sernet_settings_copy(struct sernet_config *dst,
			  const struct sernet_config *src, u64 mask)
{
	const struct sernet_setting *s;

	for (s = sernet_settings; s < SERNET_SETTINGS_END; s++) {
		if (!(mask & BIT_ULL(s->attr)))
			continue;
		if (s->type == NLA_BINARY) {
			dst->addr_len = src->addr_len;
			memcpy(dst->addr, src->addr, src->addr_len);
		} else {
			WRITE_ONCE(*sernet_setting_at(s, dst),
				   sernet_setting_get(s, src));
		}
	}
}

bool sernet_settings_differ(const struct sernet_config *a,
			    const struct sernet_config *b, u64 mask)
{
	const struct sernet_setting *s;

	for (s = sernet_settings; s < SERNET_SETTINGS_END; s++) {
		if (!(mask & BIT_ULL(s->attr)))
			continue;
		if (s->type == NLA_BINARY ?
		    a->addr_len != b->addr_len ||
		    memcmp(a->addr, b->addr, a->addr_len) :
		    sernet_setting_get(s, a) != sernet_setting_get(s, b))
			return true;
	}
	return false;
}
