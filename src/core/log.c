/* Rank-0 output, progress lines and PETSc log stages. */
#include "fc_log.h"

#include <petscsys.h>
#include <petsclog.h>
#include <stdarg.h>
#include <string.h>

void fc_print(MPI_Comm comm, const char *fmt, ...)
{
  int rank = 0;
  MPI_Comm_rank(comm, &rank);
  if (rank) return;
  va_list ap;
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
  fflush(stdout);
}

double fc_wtime(void) { return MPI_Wtime(); }

void fc_progress_start(fc_progress *p, MPI_Comm comm, const char *what, long total)
{
  memset(p, 0, sizeof *p);
  p->comm = comm;
  MPI_Comm_rank(comm, &p->rank);
  snprintf(p->what, sizeof p->what, "%s", what);
  p->total = total;
  p->t_start = p->t_last_print = fc_wtime();
  p->min_interval = 1.0;
}

static void seconds_text(double s, char *buf, size_t len)
{
  if (s < 120) snprintf(buf, len, "%.1f s", s);
  else if (s < 7200) snprintf(buf, len, "%.1f min", s / 60);
  else snprintf(buf, len, "%.1f h", s / 3600);
}

void fc_progress_update(fc_progress *p, long done, double sim_time)
{
  double now = fc_wtime();
  if (p->rank != 0) return;
  if (done < p->total && now - p->t_last_print < p->min_interval && done != 1) return;
  p->t_last_print = now;
  double elapsed = now - p->t_start, rate = elapsed > 0 ? done / elapsed : 0;
  char el[32], eta[32];
  seconds_text(elapsed, el, sizeof el);
  seconds_text(rate > 0 ? (p->total - done) / rate : 0, eta, sizeof eta);
  printf("%s %ld/%ld (%.0f%%)", p->what, done, p->total, p->total ? 100.0 * done / p->total : 100.0);
  if (sim_time >= 0) printf("  t = %.6g", sim_time);
  printf("  %.3g %s/s  elapsed %s  ETA %s\n", rate, p->what, el, done >= p->total ? "0 s" : eta);
  fflush(stdout);
}

fc_err fc_stage_register(const char *name, fc_stage *s)
{
  PetscLogStage st;
  FcCallPetsc(PetscLogStageGetId(name, &st));
  if (st < 0) FcCallPetsc(PetscLogStageRegister(name, &st));
  *s = (fc_stage)st;
  return FC_SUCCESS;
}

fc_err fc_stage_push(fc_stage s)
{
  FcCallPetsc(PetscLogStagePush((PetscLogStage)s));
  return FC_SUCCESS;
}

fc_err fc_stage_pop(void)
{
  FcCallPetsc(PetscLogStagePop());
  return FC_SUCCESS;
}
