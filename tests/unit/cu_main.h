/* cu_main.h - the shared main() of the CUnit programs.
 * A test file defines cu_register(), which adds its suites with
 * CU_add_suite/CU_add_test, and includes this header. */
#ifndef CU_MAIN_H
#define CU_MAIN_H
#include <CUnit/Basic.h>
void cu_register(void);
#endif
