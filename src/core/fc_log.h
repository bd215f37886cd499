/* Output on rank 0 only: messages, progress lines with rate and ETA, stage timers.
 *
 * Stage timers are PETSc log stages, shown with -log_view. */
#ifndef FC_LOG_H
#define FC_LOG_H

#include <stdio.h>

#include "fc_error.h"

/* printf on rank 0 of comm (stdout, flushed). */
void fc_print(MPI_Comm comm, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

typedef struct {
  MPI_Comm comm;
  int rank;
  char what[32];
  long total;
  double t_start, t_last_print;
  double min_interval; /* seconds between lines (the last line is always printed) */
} fc_progress;

void fc_progress_start(fc_progress *p, MPI_Comm comm, const char *what, long total);
/* done of total finished; sim_time < 0 leaves the simulated time out of the line:
 *   "run: step 30/100 (30%)  t = 0.3  12.5 step/s  elapsed 2.4 s  ETA 5.6 s" */
void fc_progress_update(fc_progress *p, long done, double sim_time);

/* Wall-clock seconds (MPI_Wtime). */
double fc_wtime(void);

/* A PETSc log stage, shown by -log_view: fc_stage_push(&s, "Output") ... fc_stage_pop(). */
typedef int fc_stage;
fc_err fc_stage_register(const char *name, fc_stage *s);
fc_err fc_stage_push(fc_stage s);
fc_err fc_stage_pop(void);

#endif
