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

/* set NAME/HOST VALUE: a session's view sees the override for its host
 * (a pattern, case ignored, the last match winning), the root does not,
 * and a later set shows through. */
static void test_per_host(void)
{
	struct config *cfg = config_new();
	const char *why = NULL, *host, *value;
	CU_ASSERT_EQUAL(config_set(cfg, "net:timeout/*.example.org", "5", &why), 0);
	CU_ASSERT_EQUAL(config_set(cfg, "net:timeout/ftp.example.org", "7", &why), 0);
	CU_ASSERT_EQUAL(config_set(cfg, "ftp:passive/LAB", "off", &why), 0);
	struct config *a = config_view_new(cfg, "news.EXAMPLE.org");
	struct config *b = config_view_new(cfg, "ftp.example.org");
	struct config *c = config_view_new(cfg, "lab");
	struct config *d = config_view_new(cfg, "example.org");
	CU_ASSERT_EQUAL(config_int(cfg, "net:timeout"), 60);
	CU_ASSERT_EQUAL(config_int(a, "net:timeout"), 5);
	CU_ASSERT_EQUAL(config_int(b, "net:timeout"), 7);
	CU_ASSERT_EQUAL(config_int(d, "net:timeout"), 60);
	CU_ASSERT_FALSE(config_bool(c, "ftp:passive"));
	CU_ASSERT_TRUE(config_bool(a, "ftp:passive"));
	/* Later sets show through the views. */
	CU_ASSERT_EQUAL(config_set(cfg, "net:timeout", "30", &why), 0);
	CU_ASSERT_EQUAL(config_int(d, "net:timeout"), 30);
	CU_ASSERT_EQUAL(config_set(cfg, "net:timeout/ftp.example.org", "9", &why), 0);
	CU_ASSERT_EQUAL(config_int(b, "net:timeout"), 9);
	CU_ASSERT_STRING_EQUAL(config_override_nth(cfg, 1, &host, &value), "net:timeout");
	CU_ASSERT_STRING_EQUAL(host, "ftp.example.org");
	CU_ASSERT_STRING_EQUAL(value, "9");
	CU_ASSERT_PTR_NULL(config_override_nth(cfg, 3, &host, &value));
	/* Refused: bad values, unknown names, one-shot settings, no host. */
	CU_ASSERT_EQUAL(config_set(cfg, "net:timeout/x", "0", &why), ERR_USAGE);
	CU_ASSERT_EQUAL(config_set(cfg, "net:nope/x", "1", &why), ERR_USAGE);
	CU_ASSERT_EQUAL(config_set(cfg, "tls:pin/x", "", &why), ERR_USAGE);
	CU_ASSERT_EQUAL(config_set(cfg, "net:timeout/", "5", &why), ERR_USAGE);
	CU_ASSERT_EQUAL(config_set(a, "net:timeout", "5", &why), ERR_USAGE);
	config_free(a);
	config_free(b);
	config_free(c);
	config_free(d);
	config_free(cfg);
}

void cu_register(void)
{
	CU_pSuite s = CU_add_suite("config", NULL, NULL);
	CU_add_test(s, "min_version", test_min_version);
	CU_add_test(s, "fingerprint_forms", test_fingerprint_forms);
	CU_add_test(s, "pin_forms", test_pin_forms);
	CU_add_test(s, "take", test_take);
	CU_add_test(s, "messages", test_messages);
	CU_add_test(s, "per_host", test_per_host);
}
