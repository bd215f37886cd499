/* The case keys of `flowcast train` and their reading. */
#include <math.h>
#include <string.h>

#include "fc_train.h"

static const fc_key train_keys[] = {
    {"data_dir", FC_KEY_STRING, "", 0, 0, NULL, "directory of trajectory files (*.h5, e.g. written by flowcast simulate)"},
    {"data_field", FC_KEY_STRING, "w", 0, 0, NULL, "field (dataset name in each step) to learn"},
    {"data_components", FC_KEY_INT, "1", 1, 8, NULL, "components of the field (1: scalar)"},
    {"data_window", FC_KEY_INT, "10", 1, 1000, NULL, "snapshots in the input window (the model predicts the next one)"},
    {"data_val_fraction", FC_KEY_REAL, "0.2", 0, 0.9, NULL, "fraction of the trajectories (the last ones) held out for validation"},
    {"data_max_trajectories", FC_KEY_INT, "0", 0, 1000000, NULL, "use at most this many trajectories (0: all)"},
    {"train_epochs", FC_KEY_INT, "10", 1, 1000000, NULL, "epochs"},
    {"train_batch", FC_KEY_INT, "20", 1, 100000, NULL, "global batch size (split over the MPI ranks)"},
    {"train_optimizer", FC_KEY_CHOICE, "adam", 0, 0, "adam,adamw", "optimizer (betas 0.9, 0.999, eps 1e-8)"},
    {"train_lr", FC_KEY_REAL, "1e-3", 1e-12, 10, NULL, "learning rate"},
    {"train_weight_decay", FC_KEY_REAL, "1e-4", 0, 10, NULL, "weight decay (Adam: L2 added to the gradient; AdamW: decoupled)"},
    {"train_schedule", FC_KEY_CHOICE, "step", 0, 0, "constant,step,cosine,onecycle",
     "learning-rate schedule (step and cosine per epoch, one-cycle per optimizer step)"},
    {"train_step_size", FC_KEY_INT, "100", 1, 1000000, NULL, "StepLR: epochs between decays"},
    {"train_gamma", FC_KEY_REAL, "0.5", 1e-6, 1, NULL, "StepLR: decay factor"},
    {"train_eta_min", FC_KEY_REAL, "0", 0, 10, NULL, "cosine: final learning rate"},
    {"train_clip", FC_KEY_REAL, "0", 0, 1e12, NULL, "clip the global gradient norm to this (0: off)"},
    {"train_loss", FC_KEY_CHOICE, "rel_l2", 0, 0, "rel_l2,mse", "loss on the de-normalised fields"},
    {"train_seed", FC_KEY_INT, "0", 0, 2147483647, NULL, "seed of the initialisation and of the shuffling"},
    {"train_checkpoint_every", FC_KEY_INT, "0", 0, 100000000, NULL, "also save a checkpoint every this many steps (0: each epoch)"},
    {"train_stop_after", FC_KEY_INT, "0", 0, 2000000000, NULL,
     "stop (with a checkpoint) after this many optimizer steps of this run, e.g. to fit a job's wall time (0: never)"},
    {"train_resume", FC_KEY_BOOL, "false", 0, 0, NULL, "continue from output_checkpoint (same data and keys)"},
    {"output_checkpoint", FC_KEY_STRING, "output/model.h5", 0, 0, NULL, "checkpoint written during and after training (the last state)"},
    {"output_best_checkpoint", FC_KEY_STRING, "auto", 0, 0, NULL,
     "checkpoint of the epoch with the lowest validation loss (auto: output_checkpoint with _best before .h5)"},
};

fc_err fc_train_declare(fc_case *c)
{
  FcCall(fc_case_add_keys(c, "train", train_keys, (int)(sizeof train_keys / sizeof train_keys[0])));
  FcCall(fc_model_declare(c));
  return FC_SUCCESS;
}

fc_err fc_train_read(fc_case *c, fc_train_config *t)
{
  long v;
  char buf[32];
  memset(t, 0, sizeof *t);
  FcCall(fc_case_get_string(c, "data_dir", t->data_dir, sizeof t->data_dir));
  FcCall(fc_case_get_string(c, "data_field", t->field, sizeof t->field));
  FcCall(fc_case_get_int(c, "data_components", &v));
  t->ncomp = (int)v;
  FcCall(fc_case_get_int(c, "data_window", &v));
  t->window = (int)v;
  FcCall(fc_case_get_real(c, "data_val_fraction", &t->val_fraction));
  FcCall(fc_case_get_int(c, "data_max_trajectories", &v));
  t->max_traj = (int)v;
  FcCall(fc_model_read_case(c, &t->model));
  FcCall(fc_case_get_int(c, "train_epochs", &v));
  t->epochs = (int)v;
  FcCall(fc_case_get_int(c, "train_batch", &v));
  t->batch = (int)v;
  FcCall(fc_case_get_string(c, "train_optimizer", t->optimizer, sizeof t->optimizer));
  FcCall(fc_case_get_real(c, "train_lr", &t->lr));
  FcCall(fc_case_get_real(c, "train_weight_decay", &t->weight_decay));
  FcCall(fc_case_get_string(c, "train_schedule", buf, sizeof buf));
  fc_schedule *s = &t->schedule;
  s->base_lr = s->max_lr = t->lr;
  s->kind = !strcmp(buf, "step") ? FC_SCHED_STEP : !strcmp(buf, "cosine") ? FC_SCHED_COSINE
          : !strcmp(buf, "onecycle") ? FC_SCHED_ONECYCLE : FC_SCHED_CONSTANT;
  t->schedule_per_step = s->kind == FC_SCHED_ONECYCLE;
  FcCall(fc_case_get_int(c, "train_step_size", &s->step_size));
  FcCall(fc_case_get_real(c, "train_gamma", &s->gamma));
  FcCall(fc_case_get_real(c, "train_eta_min", &s->eta_min));
  s->t_max = t->epochs;
  s->pct_start = 0.3;
  s->div_factor = 25;
  s->final_div_factor = 1e4;
  FcCall(fc_case_get_real(c, "train_clip", &t->clip));
  FcCall(fc_case_get_string(c, "train_loss", t->loss, sizeof t->loss));
  FcCall(fc_case_get_int(c, "train_seed", &v));
  t->seed = (int)v;
  FcCall(fc_case_get_int(c, "train_checkpoint_every", &v));
  t->checkpoint_every = (int)v;
  FcCall(fc_case_get_int(c, "train_stop_after", &v));
  t->stop_after = v;
  FcCall(fc_case_get_bool(c, "train_resume", &t->resume));
  FcCall(fc_case_get_string(c, "output_checkpoint", t->checkpoint, sizeof t->checkpoint));
  FcCall(fc_case_get_string(c, "output_best_checkpoint", t->best_checkpoint, sizeof t->best_checkpoint));
  if (!strcmp(t->best_checkpoint, "auto")) {
    size_t n = strlen(t->checkpoint);
    int ext = n > 3 && !strcmp(t->checkpoint + n - 3, ".h5");
    if (n + 9 >= sizeof t->best_checkpoint) FcRaise(FC_ERR_INPUT, "key 'output_checkpoint': the path is too long");
    snprintf(t->best_checkpoint, sizeof t->best_checkpoint, "%.*s_best.h5", (int)(ext ? n - 3 : n), t->checkpoint);
  }
  if (!strcmp(t->best_checkpoint, t->checkpoint))
    FcRaise(FC_ERR_INPUT, "keys 'output_checkpoint' and 'output_best_checkpoint' name the same file '%s'", t->checkpoint);
  if (!t->data_dir[0]) FcRaise(FC_ERR_INPUT, "key 'data_dir' is empty: expected the directory of trajectory files");
  FcCall(fc_case_check_unknown(c));
  return FC_SUCCESS;
}
