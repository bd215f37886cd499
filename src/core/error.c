/* Error reporting: one message per failure, with the rank and the place. */
#include "fc_error.h"

#include <petscsys.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *fc_err_name(fc_err e)
{
  switch (FC_ERR_KIND(e)) {
  case FC_SUCCESS: return "success";
  case FC_ERR_INPUT: return "bad input";
  case FC_ERR_IO: return "I/O error";
  case FC_ERR_MEMORY: return "out of memory";
  case FC_ERR_MPI: return "MPI error";
  case FC_ERR_LIBRARY: return "library error";
  case FC_ERR_NONFINITE: return "non-finite value";
  case FC_ERR_USAGE: return "usage error";
  case FC_ERR_INTERNAL: return "internal error";
  default: return "unknown error";
  }
}

static int world_rank(MPI_Comm comm)
{
  int initialized = 0, finalized = 0, rank = 0;
  MPI_Initialized(&initialized);
  MPI_Finalized(&finalized);
  if (initialized && !finalized && comm != MPI_COMM_NULL) MPI_Comm_rank(comm, &rank);
  return rank;
}

fc_err fc_error_raise(MPI_Comm comm, int collective, fc_err code, const char *func, const char *file,
                      int line, const char *fmt, ...)
{
  char msg[2048];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  int rank = world_rank(collective ? comm : MPI_COMM_WORLD);
  if (!collective || rank == 0) {
    if (collective)
      fprintf(stderr, "flowcast: error: %s\n  (%s, in %s at %s:%d)\n", msg, fc_err_name(code), func, file,
              line);
    else
      fprintf(stderr, "flowcast: error on rank %d: %s\n  (%s, in %s at %s:%d)\n", world_rank(MPI_COMM_WORLD),
              msg, fc_err_name(code), func, file, line);
    fflush(stderr);
  }
  if (FC_ERR_KIND(code) == 0) code = FC_ERR_INTERNAL;
  return collective ? (code | FC_ERR_COLLECTIVE) : FC_ERR_KIND(code);
}

void fc_error_trace(fc_err code, const char *func, const char *file, int line)
{
  if (!getenv("FLOWCAST_TRACEBACK")) return;
  fprintf(stderr, "flowcast: [rank %d] traceback: %s (%s:%d) returned %s\n", world_rank(MPI_COMM_WORLD), func,
          file, line, fc_err_name(code));
}

fc_err fc_error_from_petsc(int petsc_code, const char *func, const char *file, int line)
{
  const char *text = NULL;
  char *specific = NULL;
  PetscErrorMessage((PetscErrorCode)petsc_code, &text, &specific);
  /* PETSc errors inside flowcast come from collective calls (options, logging). */
  return fc_error_raise(MPI_COMM_WORLD, 1, FC_ERR_LIBRARY, func, file, line, "PETSc: %s%s%s",
                        text ? text : "error", specific && specific[0] ? ": " : "", specific ? specific : "");
}

fc_err fc_calloc(size_t n, size_t size, void *p)
{
  void *q = calloc(n ? n : 1, size ? size : 1);
  if (!q) FcRaiseLocal(FC_ERR_MEMORY, "cannot allocate %zu x %zu bytes", n, size);
  *(void **)p = q;
  return FC_SUCCESS;
}

fc_err fc_error_agree(MPI_Comm comm, fc_err err)
{
  int mine = err ? FC_ERR_KIND(err) : 0, worst = 0;
  if (MPI_Allreduce(&mine, &worst, 1, MPI_INT, MPI_MAX, comm) != MPI_SUCCESS) return FC_ERR_MPI;
  return worst ? (worst | FC_ERR_COLLECTIVE) : FC_SUCCESS;
}

fc_err fc_error_from_rank0(MPI_Comm comm, fc_err err)
{
  int e = err;
  if (MPI_Bcast(&e, 1, MPI_INT, 0, comm) != MPI_SUCCESS) return FC_ERR_MPI;
  return e ? (FC_ERR_KIND(e) | FC_ERR_COLLECTIVE) : FC_SUCCESS;
}
