/* Optimizers and learning-rate schedules with PyTorch's semantics (torch.optim):
 * Adam (L2 weight decay added to the gradient), AdamW (decoupled weight decay),
 * global gradient-norm clipping, and StepLR, cosine annealing and one-cycle schedules.
 * Parameters, gradients and both moments are slabs of n floats each. */
#ifndef FC_OPTIM_H
#define FC_OPTIM_H

/* The settings and the learning rate are doubles, as in torch (Python floats): a float beta2
 * = 0.999 would change 1 - beta2 by 1.3e-5 relative. */
typedef struct {
  double beta1, beta2, eps, weight_decay;
  int decoupled; /* 1: AdamW; 0: Adam (weight_decay * p added to the gradient) */
} fc_adam_config;

/* One step t (1-based) with learning rate lr, as torch.optim.Adam/AdamW (non-amsgrad,
 * same arithmetic order, so results agree to float32 round-off). */
void fc_adam_step(float *p, const float *g, float *m, float *v, long n, const fc_adam_config *c, long t, double lr);

/* torch.nn.utils.clip_grad_norm_: the global 2-norm of g (computed in double); when it
 * exceeds max_norm, g is scaled by max_norm / (norm + 1e-6). Returns the norm before clipping. */
double fc_clip_grad_norm(float *g, long n, double max_norm);

typedef enum { FC_SCHED_CONSTANT = 0, FC_SCHED_STEP, FC_SCHED_COSINE, FC_SCHED_ONECYCLE } fc_sched_kind;

typedef struct {
  fc_sched_kind kind;
  double base_lr;      /* constant, step, cosine: the initial lr */
  long step_size;      /* StepLR: lr = base_lr gamma^floor(t / step_size) */
  double gamma;
  long t_max;          /* CosineAnnealingLR: eta_min + (base_lr - eta_min)(1 + cos(pi t / t_max)) / 2 */
  double eta_min;
  double max_lr;       /* OneCycleLR (cosine annealing, PyTorch defaults: pct_start 0.3,     */
  long total_steps;    /*   div_factor 25, final_div_factor 1e4, three_phase false)          */
  double pct_start, div_factor, final_div_factor;
} fc_schedule;

/* The learning rate at scheduler step t (0 = before the first scheduler.step()), computed in
 * closed form; equal to what PyTorch's scheduler yields after t steps to round-off. */
double fc_schedule_lr(const fc_schedule *s, long t);

#endif
