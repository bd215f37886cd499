/* Shared harness of the CUnit test programs.
 *
 * Each tests/test_*.c defines fc_test_register(), which adds its suites to the
 * CUnit registry; test_main.c initialises MPI and PETSc, runs every suite, agrees
 * on the failure count over all ranks and prints CUnit's summary on rank 0.
 * Test programs run under mpiexec at 1 and 2 ranks (see tests/CMakeLists.txt);
 * a test may ask fc_test_comm() for the world communicator.
 */
#ifndef FC_TEST_H
#define FC_TEST_H

#include <CUnit/CUnit.h>
#include <mpi.h>

#include "fc_error.h"

void fc_test_register(void);

/* Directory for scratch files of this test program (the build's tests/ folder). */
const char *fc_test_tmpdir(void);
/* Directory holding committed test data (tests/data in the source tree). */
const char *fc_test_datadir(void);

int fc_test_rank(void);
int fc_test_size(void);

/* A test assertion on an fc_err: passes when the call succeeds. */
#define FC_TEST_OK(expr) CU_ASSERT_EQUAL_FATAL(FC_ERR_KIND(expr), FC_SUCCESS)
/* Passes when the call fails with the given error kind. */
#define FC_TEST_FAILS(expr, kind) CU_ASSERT_EQUAL(FC_ERR_KIND(expr), (kind))

/* Suite helper: adds a suite with NULL-terminated tests {name, fn}. */
typedef struct {
  const char *name;
  void (*fn)(void);
} fc_test_case;
void fc_test_add_suite(const char *suite, const fc_test_case *tests);

#endif
