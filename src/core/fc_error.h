/* Error codes and the one checking macro used everywhere in flowcast.
 *
 * Every function that can fail returns fc_err (0 on success). Call sites wrap
 * calls in FcCall(); the place that detects a failure uses FcRaise() (every rank
 * that runs the check sees the same failure: bad input read collectively) or
 * FcRaiseLocal() (only this rank failed: the job must be aborted).
 *
 *   FcCall(fc_field_read(file, "u", field));
 *   if (n < 2) FcRaise(FC_ERR_INPUT, "key 'grid_nx' = %d: expected >= 2", n);
 *
 * FcRaise prints its message once (on rank 0 of the communicator the check runs
 * on) and marks the code collective, so the driver finalises every rank cleanly
 * and exits non-zero. FcRaiseLocal prints on the failing rank with its rank
 * number; the driver then calls MPI_Abort so that no rank hangs in a collective.
 */
#ifndef FC_ERROR_H
#define FC_ERROR_H

#include <mpi.h>

typedef int fc_err;

enum {
  FC_SUCCESS = 0,
  FC_ERR_INPUT = 1,     /* bad user input: case file, option, HDF5 content */
  FC_ERR_IO = 2,        /* file system or HDF5 library failure */
  FC_ERR_MEMORY = 3,    /* allocation failed */
  FC_ERR_MPI = 4,       /* an MPI call failed */
  FC_ERR_LIBRARY = 5,   /* PETSc, FFTW or BLAS reported a failure */
  FC_ERR_NONFINITE = 6, /* NaN or Inf where a finite value is required */
  FC_ERR_USAGE = 7,     /* bad command line (subcommand, arguments) */
  FC_ERR_INTERNAL = 8   /* a bug: an invariant of flowcast does not hold */
};

/* Set on codes whose failure was detected identically on every rank. */
#define FC_ERR_COLLECTIVE 0x100
#define FC_ERR_KIND(e) ((e) & 0xff)

const char *fc_err_name(fc_err e);

/* Prints the message (see the header comment) and returns code, with
 * FC_ERR_COLLECTIVE set when collective is non-zero. comm decides which rank
 * prints a collective message (rank 0 of comm). */
fc_err fc_error_raise(MPI_Comm comm, int collective, fc_err code, const char *func, const char *file,
                      int line, const char *fmt, ...) __attribute__((format(printf, 7, 8)));

/* One traceback line, printed only when FLOWCAST_TRACEBACK is set in the environment. */
void fc_error_trace(fc_err code, const char *func, const char *file, int line);

#define FcCall(expr)                                          \
  do {                                                        \
    fc_err fc_call_e_ = (expr);                               \
    if (__builtin_expect(fc_call_e_ != 0, 0)) {               \
      fc_error_trace(fc_call_e_, __func__, __FILE__, __LINE__); \
      return fc_call_e_;                                      \
    }                                                         \
  } while (0)

#define FcRaise(code, ...) \
  return fc_error_raise(MPI_COMM_WORLD, 1, (code), __func__, __FILE__, __LINE__, __VA_ARGS__)
#define FcRaiseComm(comm, code, ...) \
  return fc_error_raise((comm), 1, (code), __func__, __FILE__, __LINE__, __VA_ARGS__)
#define FcRaiseLocal(code, ...) \
  return fc_error_raise(MPI_COMM_WORLD, 0, (code), __func__, __FILE__, __LINE__, __VA_ARGS__)

/* Wraps an MPI call: a failure is local (MPI's default handler aborts anyway). */
#define FcCallMPI(expr)                                                   \
  do {                                                                    \
    int fc_mpi_e_ = (expr);                                               \
    if (fc_mpi_e_ != MPI_SUCCESS) FcRaiseLocal(FC_ERR_MPI, "%s failed (MPI error %d)", #expr, fc_mpi_e_); \
  } while (0)

/* Wraps a PETSc call: PETSc's message is fetched and re-raised as a flowcast error. */
#define FcCallPetsc(expr)                                                                \
  do {                                                                                   \
    int fc_petsc_e_ = (int)(expr);                                                       \
    if (fc_petsc_e_) return fc_error_from_petsc(fc_petsc_e_, __func__, __FILE__, __LINE__); \
  } while (0)

fc_err fc_error_from_petsc(int petsc_code, const char *func, const char *file, int line);

/* Allocation with a checked error: *p = calloc(n, size). */
fc_err fc_calloc(size_t n, size_t size, void *p);
#define FcMalloc(n, p) fc_calloc((size_t)(n), sizeof(**(p)), (p))

/* Makes a local (one-rank) failure collective: every rank of comm learns whether
 * any rank failed (an allreduce), so that a job can stop cleanly. Returns
 * FC_ERR_... | FC_ERR_COLLECTIVE on every rank if any rank had err != 0. */
fc_err fc_error_agree(MPI_Comm comm, fc_err err);

/* After work done by rank 0 alone (reading a file, writing a checkpoint): rank 0's err, which
 * rank 0 has already reported, reaches every rank of comm, marked collective. */
fc_err fc_error_from_rank0(MPI_Comm comm, fc_err err);

/* After PetscInitialize: PETSc and HDF5 errors are returned to flowcast, which reports
 * them itself; SIGPIPE ends the process quietly (flowcast info f.h5 | head); FFTW-MPI is
 * initialised. */
void fc_init_libraries(void);
/* Ends the program after a subcommand returned e: a collective failure (or success)
 * finalises PETSc/MPI on every rank; a failure on one rank calls MPI_Abort so that no
 * rank hangs. Returns the exit code: 0, 1 (failure) or 2 (usage). */
int fc_finalize(fc_err e);

#endif
