/* test_trust.c - the file of certificates trusted "always". */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cu_main.h"
#include "trust.h"

#define FIND(text, key) trust_find(text, sizeof(text) - 1, key)

static void test_find(void)
{
	char *fp = FIND("# comment\nh:21 AB:CD\nother:21 EE:FF\n", "h:21");
	CU_ASSERT_STRING_EQUAL(fp, "AB:CD");
	free(fp);
	/* the last line for a server wins */
	fp = FIND("h:21 AB:CD\nh:21 12:34\n", "h:21");
	CU_ASSERT_STRING_EQUAL(fp, "12:34");
	free(fp);
	/* exact server only: not a prefix, not another port */
	CU_ASSERT_PTR_NULL(FIND("h:211 AB:CD\nhh:21 AB:CD\nh:2 AB\n", "h:21"));
	CU_ASSERT_PTR_NULL(FIND("xh:21 AB:CD\n", "h:21"));
	/* no fingerprint, junk after it, no final newline */
	CU_ASSERT_PTR_NULL(FIND("h:21 \n", "h:21"));
	fp = FIND("h:21 ab:cd junk", "h:21");
	CU_ASSERT_STRING_EQUAL(fp, "ab:cd");
	free(fp);
	CU_ASSERT_PTR_NULL(FIND("", "h:21"));
}

static void test_file(void)
{
	char dir[] = "/tmp/ferry-trust-XXXXXX";
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	setenv("XDG_DATA_HOME", dir, 1);
	CU_ASSERT_PTR_NULL(trust_lookup("127.0.0.1", 990));
	CU_ASSERT_EQUAL(trust_add("127.0.0.1", 990, "AA:BB"), 0);
	CU_ASSERT_EQUAL(trust_add("::1", 990, "CC:DD"), 0);
	char *fp = trust_lookup("127.0.0.1", 990);
	CU_ASSERT_STRING_EQUAL(fp, "AA:BB");
	free(fp);
	fp = trust_lookup("::1", 990);
	CU_ASSERT_STRING_EQUAL(fp, "CC:DD");
	free(fp);
	CU_ASSERT_PTR_NULL(trust_lookup("127.0.0.1", 991));
	char *path = trust_path();
	unlink(path);
	free(path);
	char sub[64];
	snprintf(sub, sizeof(sub), "%s/ferry", dir);
	rmdir(sub);
	rmdir(dir);
}

void cu_register(void)
{
	CU_pSuite s = CU_add_suite("trust", NULL, NULL);
	CU_add_test(s, "find a server's line", test_find);
	CU_add_test(s, "record and look up", test_file);
}
