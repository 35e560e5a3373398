/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sernet: the test layer's decision (test_layer.c), pure so that a host
 * test can drive it: ASCII letters change case, every other byte passes.
 */
#ifndef _SERNET_TEST_LAYER_STEP_H
#define _SERNET_TEST_LAYER_STEP_H

static inline unsigned char sernet_test_layer_step(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
		return c ^ 0x20;
	return c;
}

#endif /* _SERNET_TEST_LAYER_STEP_H */
