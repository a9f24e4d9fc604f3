/* test_config.c - the settings of the TLS hardening: the minimum TLS
 * version, and the fingerprint forms tls:fingerprint and tls:pin take.
 * (The general mechanics are tested with the commands, in test_cmd.c.) */
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "cu_main.h"
#include "err.h"

static void test_min_version(void)
{
	struct config *c = config_new();
	const char *why = NULL;

	/* TLS 1.2 or newer unless lowered on purpose. */
	CU_ASSERT_STRING_EQUAL(config_str(c, "tls:min-version"), "1.2");
	CU_ASSERT_EQUAL(config_set(c, "tls:min-version", "1.0", &why), 0);
	CU_ASSERT_STRING_EQUAL(config_str(c, "tls:min-version"), "1.0");
	CU_ASSERT_EQUAL(config_set(c, "tls:min-version", "1.3", &why), 0);
	CU_ASSERT_STRING_EQUAL(config_str(c, "tls:min-version"), "1.3");
	/* Never SSL 3, nothing that is not a TLS version. */
	CU_ASSERT_EQUAL(config_set(c, "tls:min-version", "3.0", &why), ERR_USAGE);
	CU_ASSERT_EQUAL(config_set(c, "tls:min-version", "ssl3", &why), ERR_USAGE);
	CU_ASSERT_EQUAL(config_set(c, "tls:min-version", "1", &why), ERR_USAGE);
	CU_ASSERT_EQUAL(config_set(c, "tls:min-version", "", &why), ERR_USAGE);
	CU_ASSERT_STRING_EQUAL(config_str(c, "tls:min-version"), "1.3");
	config_free(c);
}

void cu_register(void)
{
	CU_pSuite s = CU_add_suite("config", NULL, NULL);
	CU_add_test(s, "min_version", test_min_version);
}
