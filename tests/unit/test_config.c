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

#define SHA_COLONS "ab:cd:ef:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:" \
                   "00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff"
#define SHA_UPPER  "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:" \
                   "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF"
#define SHA_PLAIN  "abcdef0123456789ABCDEF0123456789" \
                   "00112233445566778899aabbccddeeff"

/* Both forms, any case, are taken and shown as certificate messages
 * show fingerprints; anything else is refused at `set`, with the reason. */
static void check_fingerprint_forms(const char *name)
{
	struct config *c = config_new();
	const char *why = NULL;
	static const char *const bad[] = {
		"AB:CD",                               /* too short */
		SHA_PLAIN "00",                        /* too long */
		SHA_COLONS ":00",                      /* one pair too many */
		"ab:cdef0123456789ABCDEF0123456789"    /* colons in some places */
		"00112233445566778899aabbccddeeff",
		"xbcdef0123456789ABCDEF0123456789"     /* not hex */
		"00112233445566778899aabbccddeeff",
		"ab-cd-ef-01-23-45-67-89-AB-CD-EF-01-23-45-67-89-" /* '-' pairs */
		"00-11-22-33-44-55-66-77-88-99-aa-bb-cc-dd-ee-ff",
		"ab:cd:ef:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:" /* trailing ':' */
		"00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:f:",
		" " SHA_PLAIN,                         /* blanks */
		"sha256:" SHA_PLAIN,
		"SHA256 Fingerprint=" SHA_UPPER,
	};
	size_t i;

	CU_ASSERT_STRING_EQUAL(config_str(c, name), "");
	CU_ASSERT_EQUAL(config_set(c, name, SHA_COLONS, &why), 0);
	CU_ASSERT_STRING_EQUAL(config_str(c, name), SHA_UPPER);
	CU_ASSERT_EQUAL(config_set(c, name, SHA_PLAIN, &why), 0);
	CU_ASSERT_STRING_EQUAL(config_str(c, name), SHA_UPPER);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why = NULL;
		CU_ASSERT_EQUAL(config_set(c, name, bad[i], &why), ERR_USAGE);
		CU_ASSERT(why && strstr(why, "64 hex digits") && strstr(why, "':'"));
		/* A refused value leaves the old one in place. */
		CU_ASSERT_STRING_EQUAL(config_str(c, name), SHA_UPPER);
	}
	/* Empty clears it. */
	CU_ASSERT_EQUAL(config_set(c, name, "", &why), 0);
	CU_ASSERT_PTR_NULL(config_take(c, name));
	config_free(c);
}

static void test_fingerprint_forms(void)
{
	check_fingerprint_forms("tls:fingerprint");
}

static void test_pin_forms(void)
{
	check_fingerprint_forms("tls:pin");
}

/* Both are one-shot: taken once, then empty. */
static void test_take(void)
{
	struct config *c = config_new();
	const char *why = NULL;
	char *v;

	CU_ASSERT_EQUAL(config_set(c, "tls:pin", SHA_PLAIN, &why), 0);
	v = config_take(c, "tls:pin");
	CU_ASSERT_STRING_EQUAL(v, SHA_UPPER);
	free(v);
	CU_ASSERT_PTR_NULL(config_take(c, "tls:pin"));
	CU_ASSERT_STRING_EQUAL(config_str(c, "tls:pin"), "");
	config_free(c);
}

/* A refused value is answered with what the setting takes (issue 10). */
static void test_messages(void)
{
	struct config *c = config_new();
	const char *why = NULL;

	CU_ASSERT_EQUAL(config_set(c, "net:timeout", "0", &why), ERR_USAGE);
	CU_ASSERT_STRING_EQUAL(why, "expected a number from 1 to 86400");
	CU_ASSERT_EQUAL(config_set(c, "net:keepalive", "x", &why), ERR_USAGE);
	CU_ASSERT_STRING_EQUAL(why, "expected a number from 0 to 86400");
	CU_ASSERT_EQUAL(config_set(c, "ftp:tls", "maybe", &why), ERR_USAGE);
	CU_ASSERT_STRING_EQUAL(why, "expected one of: auto, require, off");
	CU_ASSERT_EQUAL(config_set(c, "tls:min-version", "3.0", &why), ERR_USAGE);
	CU_ASSERT_STRING_EQUAL(why, "expected one of: 1.0, 1.1, 1.2, 1.3");
	CU_ASSERT_EQUAL(config_set(c, "ftp:passive", "perhaps", &why), ERR_USAGE);
	CU_ASSERT_STRING_EQUAL(why, "expected on or off");
	CU_ASSERT_EQUAL(config_set(c, "tls:pin", "12:34", &why), ERR_USAGE);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "64 hex digits"));
	config_free(c);
}

void cu_register(void)
{
	CU_pSuite s = CU_add_suite("config", NULL, NULL);
	CU_add_test(s, "min_version", test_min_version);
	CU_add_test(s, "fingerprint_forms", test_fingerprint_forms);
	CU_add_test(s, "pin_forms", test_pin_forms);
	CU_add_test(s, "take", test_take);
	CU_add_test(s, "messages", test_messages);
}
