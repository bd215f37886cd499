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
    {"model_type", FC_KEY_CHOICE, "fno", 0, 0, "fno,ifno,ifactformer_m,ifactformer_o",
     "FNO (layers with their own weights), implicit FNO (one shared layer), or IFactFormer-m (parallel) / -o (chained) "
     "(3D, data_components 3, data_window 1)"},
    {"model_width", FC_KEY_INT, "20", 1, 4096, NULL, "hidden width (IFactFormer: C, even)"},
    {"model_modes", FC_KEY_INT, "12", 1, 4096, NULL, "Fourier modes kept per axis"},
    {"model_layers", FC_KEY_INT, "4", 1, 256, NULL,
     "Fourier layers (FNO) or iterations of the shared layer (IFNO, IFactFormer: L)"},
    {"model_proj", FC_KEY_INT, "128", 1, 4096, NULL, "width of the projection's hidden layer"},
    {"model_use_grid", FC_KEY_BOOL, "true", 0, 0, NULL, "append the grid coordinates to the input channels"},
    {"model_fft_norm", FC_KEY_CHOICE, "backward", 0, 0, "backward,forward,ortho", "FFT normalisation (torch.fft's norm)"},
    {"model_zero_dc_nyquist_imag", FC_KEY_BOOL, "false", 0, 0, NULL, "zero the imaginary part of the DC and Nyquist modes"},
    {"model_heads", FC_KEY_INT, "2", 1, 256, NULL, "IFactFormer: attention heads H"},
    {"model_value_width", FC_KEY_INT, "32", 1, 4096, NULL, "IFactFormer: value width per head Dv"},
    {"model_kernel_mult", FC_KEY_INT, "1", 1, 64, NULL, "IFactFormer: kernel multiplier (query/key width Dk = mult Dv, even)"},
    {"model_lift_width", FC_KEY_INT, "0", 0, 3 * 4096, NULL, "IFactFormer: channels of the grouped lifting, a multiple of 3 (0: C/2)"},
    {"model_rope_scale", FC_KEY_REAL, "64", 1e-6, 1e6, NULL, "IFactFormer: RoPE frequency scale"},
    {"model_coords", FC_KEY_CHOICE, "linspace", 0, 0, "linspace,physical",
     "IFactFormer coordinates: linspace(0, L, n) with the endpoint per axis (the reference code) or the grid's (stretched) ones"},
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
  fc_fno_config *m = &t->model;
  FcCall(fc_case_get_string(c, "model_type", buf, sizeof buf));
  m->implicit = !strcmp(buf, "ifno");
  snprintf(t->model_type, sizeof t->model_type, "%s", buf);
  FcCall(fc_case_get_int(c, "model_width", &v));
  m->width = (int)v;
  FcCall(fc_case_get_int(c, "model_modes", &v));
  m->modes[0] = m->modes[1] = m->modes[2] = (int)v;
  FcCall(fc_case_get_int(c, "model_layers", &v));
  m->layers = (int)v;
  FcCall(fc_case_get_int(c, "model_proj", &v));
  m->proj = (int)v;
  FcCall(fc_case_get_bool(c, "model_use_grid", &m->use_grid));
  FcCall(fc_case_get_string(c, "model_fft_norm", buf, sizeof buf));
  m->norm = !strcmp(buf, "forward") ? FC_FFT_NORM_FORWARD : !strcmp(buf, "ortho") ? FC_FFT_NORM_ORTHO : FC_FFT_NORM_BACKWARD;
  FcCall(fc_case_get_bool(c, "model_zero_dc_nyquist_imag", &m->zero_dc_nyquist_imag));
  fc_ifactformer_config *f = &t->ifact;
  f->C = m->width;
  f->L = m->layers;
  f->variant = !strcmp(t->model_type, "ifactformer_o") ? FC_IFACT_CHAINED : FC_IFACT_PARALLEL;
  FcCall(fc_case_get_int(c, "model_heads", &v));
  f->H = (int)v;
  FcCall(fc_case_get_int(c, "model_value_width", &v));
  f->Dv = (int)v;
  FcCall(fc_case_get_int(c, "model_kernel_mult", &v));
  f->mult = (int)v;
  FcCall(fc_case_get_int(c, "model_lift_width", &v));
  f->lift_width = (int)v;
  double scale;
  FcCall(fc_case_get_real(c, "model_rope_scale", &scale));
  f->freq_scale = (float)scale;
  FcCall(fc_case_get_string(c, "model_coords", t->coords, sizeof t->coords));
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
