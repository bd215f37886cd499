/* The training loop of `flowcast train`: epochs of shuffled batches, data-parallel over the
 * ranks (each takes its share of every batch; gradients are allreduced), the optimizer and
 * schedule of the case, validation after each epoch, progress lines and checkpoints.
 *
 * Reproducibility: the initialisation and each epoch's permutation are pure functions of
 * (seed, epoch) (counter-based RNG), and a checkpoint records the step, the epoch and the
 * next batch of that epoch (rng_counter), so `-train_resume true` continues exactly where a
 * checkpoint was written: the final weights equal those of an uninterrupted run. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fc_log.h"
#include "fc_loss.h"
#include "fc_train.h"

typedef struct {
  MPI_Comm comm;
  int rank, size;
  const fc_train_config *t;
  fc_dataset d;
  fc_model *m;
  int B, r0, nr;         /* global batch; this rank's rows [r0, r0 + nr) */
  long *perm;            /* the epoch's permutation of the training samples */
  float *x, *y, *yh, *dy, *yd, *yhd; /* local batch buffers */
  fc_hparam extra[3];    /* data_window, data_components, data_field: saved with the model's */
  fc_named_array norm[3]; /* field_mean, field_std, validation_best */
  float best[2];          /* lowest validation loss so far and its epoch (FLT_MAX, 0 before any) */
} trainer;

/* What a checkpoint of this run holds beyond the model (moments, counters, normalisation). */
static fc_model_state run_state(trainer *tr, long step, long epoch, long next_batch)
{
  return (fc_model_state){.extra = tr->extra,
                          .nextra = 3,
                          .with_optimizer = 1,
                          .optimizer = tr->t->optimizer,
                          .step = step,
                          .epoch = epoch,
                          .rng_seed = (unsigned long long)tr->t->seed,
                          .rng_counter = (unsigned long long)next_batch,
                          .arrays = tr->norm,
                          .narrays = 3};
}

/* The optimizer step on the trainable runs of the slab only: frozen tensors (e.g. a Fourier-feature
 * matrix) are not decayed by AdamW (element-wise, so the same result as one call when all train). */
static void optimizer_step(fc_params *p, const fc_adam_config *adam, long t, double lr)
{
  for (long i = 0; i < p->n;) {
    if (p->mask && !p->mask[i]) {
      i++;
      continue;
    }
    long j = i;
    while (j < p->n && (!p->mask || p->mask[j])) j++;
    fc_adam_step(p->data + i, p->grad + i, p->m + i, p->v + i, j - i, adam, t, lr);
    i = j;
  }
}

/* Fisher-Yates with the counter-based RNG: the same permutation on every rank. */
static void permutation(long *p, long n, unsigned long long seed, long epoch)
{
  for (long i = 0; i < n; i++) p[i] = i;
  for (long i = n - 1; i > 0; i--) {
    long j = (long)(fc_rng_uniform(seed, 0x5eed0000ULL + (unsigned long long)epoch, (unsigned long long)i) * (i + 1));
    long tmp = p[i];
    p[i] = p[j];
    p[j] = tmp;
  }
}

/* Loss over this rank's nr samples (sum of per-sample losses) on de-normalised fields;
 * dy (normalised units) gets d(mean over the rank's samples)/d(yh) when not NULL. */
static double batch_loss(trainer *tr, int nr, float *dy)
{
  const fc_dataset *d = &tr->d;
  const long per = d->npts * d->ncomp;
  for (long i = 0; i < nr * per; i++) {
    int c = (int)(i % d->ncomp);
    tr->yd[i] = tr->y[i] * d->std[c] + d->mean[c];
    tr->yhd[i] = tr->yh[i] * d->std[c] + d->mean[c];
  }
  if (dy) memset(dy, 0, sizeof(float) * (size_t)(nr * per));
  double sum;
  if (!strcmp(tr->t->loss, "mse")) sum = nr * (double)fc_mse_loss(dy, tr->yhd, tr->yd, nr * per);
  else sum = nr * (double)fc_rel_l2_loss(dy, tr->yhd, tr->yd, nr, per);
  if (dy)
    for (long i = 0; i < nr * per; i++) dy[i] *= tr->d.std[i % d->ncomp];
  return sum;
}

/* Writes the training state to `path` (output_checkpoint, or the best one). */
static fc_err save_to(trainer *tr, const char *path, long step, long epoch, long next_batch)
{
  const fc_model_state st = run_state(tr, step, epoch, next_batch);
  FcCall(fc_model_save(tr->m, tr->comm, path, &st));
  return FC_SUCCESS;
}
static fc_err save(trainer *tr, long step, long epoch, long next_batch)
{
  return save_to(tr, tr->t->checkpoint, step, epoch, next_batch);
}

/* Mean validation loss per sample (batches of the training size, the last one padded). */
static fc_err validate(trainer *tr, double *loss)
{
  const fc_dataset *d = &tr->d;
  const long nval = fc_dataset_count(d, 1), per_in = d->npts * d->window * d->ncomp, per_out = d->npts * d->ncomp;
  double sum = 0;
  long counted = 0;
  for (long b0 = 0; b0 < nval; b0 += tr->B) {
    int real = 0;
    for (int i = 0; i < tr->nr; i++) {
      long s = b0 + tr->r0 + i;
      fc_dataset_sample(d, 1, s < nval ? s : 0, tr->x + i * per_in, tr->y + i * per_out);
      real += s < nval;
    }
    if (tr->nr) FcCall(fc_model_forward(tr->m, tr->yh, tr->x));
    if (real) sum += batch_loss(tr, real, NULL); /* the real samples come first */
    counted += real;
  }
  double loc[2] = {sum, (double)counted}, all[2];
  FcCallMPI(MPI_Allreduce(loc, all, 2, MPI_DOUBLE, MPI_SUM, tr->comm));
  *loss = all[1] > 0 ? all[0] / all[1] : NAN;
  return FC_SUCCESS;
}

static fc_err train_loop(trainer *tr)
{
  const fc_train_config *t = tr->t;
  const fc_dataset *d = &tr->d;
  fc_params *p = fc_model_params(tr->m);
  const long ntrain = fc_dataset_count(d, 0), nb = ntrain / tr->B, per_in = d->npts * d->window * d->ncomp,
             per_out = d->npts * d->ncomp;
  if (nb < 1) FcRaiseComm(tr->comm, FC_ERR_INPUT, "%ld training samples: fewer than one batch of %d", ntrain, tr->B);
  const fc_adam_config adam = {0.9, 0.999, 1e-8, t->weight_decay, !strcmp(t->optimizer, "adamw")};
  long step = 0, epoch = 0, first_batch = 0;
  if (t->resume) {
    fc_model_state ck = run_state(tr, 0, 0, 0);
    float mean[8], std[8];
    memcpy(mean, tr->norm[0].data, sizeof mean);
    memcpy(std, tr->norm[1].data, sizeof std);
    FcCall(fc_model_load(tr->m, tr->comm, t->checkpoint, &ck));
    for (int c = 0; c < d->ncomp; c++)
      if (mean[c] != tr->norm[0].data[c] || std[c] != tr->norm[1].data[c])
        FcRaiseComm(tr->comm, FC_ERR_INPUT, "checkpoint '%s' was trained on other data (normalisation differs)", t->checkpoint);
    step = ck.step;
    epoch = ck.epoch;
    first_batch = (long)ck.rng_counter;
    fc_print(tr->comm, "resuming from %s: step %ld, epoch %ld, batch %ld\n", t->checkpoint, step, epoch + 1, first_batch);
  }
  fc_print(tr->comm,
           "flowcast train: %s, %ld parameters, %ld training / %ld validation samples, batch %d on %d rank(s), %d epochs\n",
           fc_model_type(tr->m), fc_params_count(p, 1), ntrain, fc_dataset_count(d, 1), tr->B, tr->size, t->epochs);
  double t_start = fc_wtime();
  long samples_done = 0, first_step = step;
  for (; epoch < t->epochs; epoch++, first_batch = 0) {
    permutation(tr->perm, ntrain, (unsigned long long)t->seed, epoch);
    double sum = 0, t0 = fc_wtime();
    long seen = 0;
    for (long bi = first_batch; bi < nb; bi++) {
      double lr = fc_schedule_lr(&t->schedule, t->schedule_per_step ? step : epoch);
      for (int i = 0; i < tr->nr; i++)
        fc_dataset_sample(d, 0, tr->perm[bi * tr->B + tr->r0 + i], tr->x + i * per_in, tr->y + i * per_out);
      fc_params_zero_grad(p);
      double loc = 0;
      if (tr->nr) {
        FcCall(fc_model_forward(tr->m, tr->yh, tr->x));
        loc = batch_loss(tr, tr->nr, tr->dy);
        FcCall(fc_model_backward(tr->m, NULL, tr->dy));
      }
      FcCall(fc_params_allreduce_grad(p, tr->comm, (double)tr->nr / tr->B));
      if (t->clip > 0) fc_clip_grad_norm(p->grad, p->n, t->clip);
      optimizer_step(p, &adam, step + 1, lr);
      step++;
      double all = 0;
      FcCallMPI(MPI_Allreduce(&loc, &all, 1, MPI_DOUBLE, MPI_SUM, tr->comm));
      if (!isfinite(all))
        FcRaiseComm(tr->comm, FC_ERR_NONFINITE, "training diverged at step %ld (epoch %ld): the loss is %g; lower train_lr",
                    step, epoch + 1, all);
      sum += all;
      seen += tr->B;
      if (t->checkpoint_every > 0 && step % t->checkpoint_every == 0) FcCall(save(tr, step, epoch, bi + 1));
      if (t->stop_after > 0 && step - first_step >= t->stop_after) {
        FcCall(save(tr, step, bi + 1 == nb ? epoch + 1 : epoch, bi + 1 == nb ? 0 : bi + 1));
        fc_print(tr->comm, "stopped after %ld steps (train_stop_after) in epoch %ld; wrote %s: continue with -train_resume true\n",
                 t->stop_after, epoch + 1, t->checkpoint);
        return FC_SUCCESS;
      }
    }
    double val = NAN;
    FcCall(validate(tr, &val));
    samples_done += seen;
    /* without validation samples the last epoch is the best; a NaN loss never is */
    int improved = fc_dataset_count(d, 1) == 0 || val < tr->best[0];
    if (improved) {
      if (isfinite(val)) tr->best[0] = (float)val; /* checkpoints hold finite values only */
      tr->best[1] = (float)(epoch + 1);
    }
    FcCall(save(tr, step, epoch + 1, 0));
    if (improved) FcCall(save_to(tr, t->best_checkpoint, step, epoch + 1, 0));
    double now = fc_wtime(), rate = seen / (now - t0), elapsed = now - t_start;
    double eta = samples_done > 0 ? elapsed / samples_done * (double)(t->epochs - epoch - 1) * nb * tr->B : 0;
    fc_print(tr->comm, "epoch %ld/%d  loss %.5g  val %.5g%s  lr %.3g  %.1f samples/s  elapsed %.1f s  ETA %.1f s\n",
             epoch + 1, t->epochs, seen ? sum / seen : NAN, val, improved ? " (best)" : "",
             fc_schedule_lr(&t->schedule, t->schedule_per_step ? step : epoch), rate, elapsed, eta);
  }
  if (fc_dataset_count(d, 1) == 0)
    fc_print(tr->comm, "wrote %s and %s (no validation samples: the last epoch)\n", t->checkpoint, t->best_checkpoint);
  else
    fc_print(tr->comm, "wrote %s (last epoch) and %s (lowest validation loss %.5g, epoch %d)\n", t->checkpoint,
             t->best_checkpoint, tr->best[0], (int)tr->best[1]);
  return FC_SUCCESS;
}

static fc_err setup(trainer *tr, MPI_Comm comm, const fc_train_config *t)
{
  tr->comm = comm;
  tr->t = t;
  MPI_Comm_rank(comm, &tr->rank);
  MPI_Comm_size(comm, &tr->size);
  FcCall(fc_dataset_load(comm, t->data_dir, t->field, t->ncomp, t->window, t->val_fraction, t->max_traj, &tr->d));
  /* the model maps the input window (window x components channels) to the next snapshot */
  fc_model_spec spec = t->model;
  FcCall(fc_model_spec_set(&spec, "ndim", tr->d.ndim));
  FcCall(fc_model_spec_set(&spec, "in_channels", t->window * t->ncomp));
  FcCall(fc_model_spec_set(&spec, "out_channels", t->ncomp));
  char ctx[64];
  snprintf(ctx, sizeof ctx, "model_type %s", spec.type);
  FcCall(fc_model_create(spec.type, spec.h, spec.n, ctx, &tr->m));
  FcCall(fc_model_init(tr->m, (unsigned long long)t->seed));
  tr->extra[0] = (fc_hparam){.name = "data_window", .value = t->window};
  tr->extra[1] = (fc_hparam){.name = "data_components", .value = t->ncomp};
  tr->extra[2] = (fc_hparam){.name = "data_field", .is_text = 1};
  snprintf(tr->extra[2].text, sizeof tr->extra[2].text, "%s", t->field);
  tr->norm[0] = (fc_named_array){"field_mean", tr->d.mean, tr->d.ncomp};
  tr->norm[1] = (fc_named_array){"field_std", tr->d.std, tr->d.ncomp};
  tr->best[0] = FLT_MAX; /* no epoch yet (checkpoints refuse non-finite values) */
  tr->norm[2] = (fc_named_array){"validation_best", tr->best, 2};
  /* this rank's share of each batch (balanced) */
  tr->B = t->batch;
  int base = tr->B / tr->size, extra_rows = tr->B % tr->size;
  tr->nr = base + (tr->rank < extra_rows);
  tr->r0 = tr->rank * base + (tr->rank < extra_rows ? tr->rank : extra_rows);
  if (tr->B < tr->size) FcRaise(FC_ERR_INPUT, "key 'train_batch' = %d: at least one sample per rank (%d ranks)", tr->B, tr->size);
  fc_model_grid g = {.ndim = tr->d.ndim, .comm = MPI_COMM_SELF};
  for (int a = 0; a < 3; a++) {
    g.n[a] = a < tr->d.ndim ? tr->d.n[a] : 1;
    g.length[a] = tr->d.length[a];
    g.coord[a] = tr->d.coord[a];
  }
  FcCall(fc_model_setup(tr->m, tr->nr, &g));
  const long per_in = tr->d.npts * t->window * t->ncomp, per_out = tr->d.npts * t->ncomp, nr = tr->nr;
  FcCall(FcMalloc(fc_dataset_count(&tr->d, 0) + 1, &tr->perm));
  FcCall(FcMalloc(nr * per_in + 1, &tr->x));
  float **outs[] = {&tr->y, &tr->yh, &tr->dy, &tr->yd, &tr->yhd};
  for (int i = 0; i < 5; i++) FcCall(FcMalloc(nr * per_out + 1, outs[i]));
  return FC_SUCCESS;
}

fc_err fc_train_run(MPI_Comm comm, const fc_train_config *t, const char *case_path, const char *case_text)
{
  (void)case_path;
  (void)case_text;
  trainer tr;
  memset(&tr, 0, sizeof tr);
  fc_err e = setup(&tr, comm, t);
  if (!e) e = train_loop(&tr);
  float *bufs[] = {tr.x, tr.y, tr.yh, tr.dy, tr.yd, tr.yhd};
  for (int i = 0; i < 6; i++) free(bufs[i]);
  free(tr.perm);
  fc_model_destroy(&tr.m);
  fc_dataset_free(&tr.d);
  return e;
}
