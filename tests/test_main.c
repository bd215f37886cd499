/* main() of every CUnit test program: MPI + PETSc set-up, run, agree, summarise. */
#include <CUnit/Basic.h>
#include <hdf5.h>
#include <petscsys.h>
#include <stdio.h>
#include <stdlib.h>

#include "fc_test.h"

#ifndef FC_TEST_TMPDIR
#define FC_TEST_TMPDIR "."
#endif
#ifndef FC_TEST_DATADIR
#define FC_TEST_DATADIR "."
#endif

const char *fc_test_tmpdir(void) { return FC_TEST_TMPDIR; }
const char *fc_test_datadir(void) { return FC_TEST_DATADIR; }

int fc_test_rank(void)
{
  int r;
  MPI_Comm_rank(MPI_COMM_WORLD, &r);
  return r;
}

int fc_test_size(void)
{
  int s;
  MPI_Comm_size(MPI_COMM_WORLD, &s);
  return s;
}

void fc_test_add_suite(const char *suite, const fc_test_case *tests)
{
  CU_pSuite s = CU_add_suite(suite, NULL, NULL);
  if (!s) {
    fprintf(stderr, "cannot add CUnit suite %s\n", suite);
    exit(2);
  }
  for (const fc_test_case *t = tests; t->name; t++)
    if (!CU_add_test(s, t->name, t->fn)) {
      fprintf(stderr, "cannot add CUnit test %s\n", t->name);
      exit(2);
    }
}

int main(int argc, char **argv)
{
  if (PetscInitialize(&argc, &argv, NULL, NULL)) return 2;
  fc_init_libraries(); /* flowcast reports PETSc and HDF5 failures itself */
  if (CU_initialize_registry() != CUE_SUCCESS) return 2;
  fc_test_register();
  int rank = fc_test_rank();
  CU_basic_set_mode(rank == 0 ? CU_BRM_VERBOSE : CU_BRM_SILENT);
  if (rank != 0 && !freopen("/dev/null", "w", stdout)) return 2; /* one CUnit summary, from rank 0 */
  CU_basic_run_tests();
  int failed = (int)(CU_get_number_of_failures() + CU_get_number_of_tests_failed());
  int any = 0;
  MPI_Allreduce(&failed, &any, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
  if (rank == 0) printf("\n%s: %d assertion/test failure(s) over %d rank(s)\n", argv[0], any, fc_test_size());
  CU_cleanup_registry();
  PetscFinalize();
  return any ? 1 : 0;
}
