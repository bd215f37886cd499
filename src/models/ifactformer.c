/* IFactFormer-m / -o over a whole grid (see fc_ifactformer.h).
 *
 * Saved activations (float, channels last, M = B X Y Z points, P = X Y Z per sample):
 *   x [M][3] (copy of the input), la / ga [M][W] lifting before / after GELU, ff [P][C] the
 *   Fourier features, h[l] [M][C] the state entering iteration l (l = 0 .. L);
 *   per iteration (struct iter): LayerNorm n, its mean/rstd, V, t, per axis the pooled t (pt),
 *   its projection pa, LayerNorm n2 (+ stats), gate g [2C], gated gg, s, q and k after RoPE and
 *   the kernel K; the contraction u [M][nV] (o: also Kx V and Ky Kx V), InstanceNorm z (+ stats),
 *   a1 = to_out1 z and g1 = GELU(a1). Mean pooling commutes with the linear map Wp, so
 *   s = mean(t) Wp^T is computed on the pooled sequence (the same values, cheaper).
 * Everything lives in one workspace; backward walks the iterations in reverse and
 * accumulates into the parameter slab. */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>

#include "fc_ifactformer.h"

#define LN_EPS 1e-5f
#define IN_EPS 1e-5f
#define MAX_ITERS 1024

typedef struct {
  float *pt, *pa, *n2, *m2, *r2, *g, *gg, *s, *q, *k, *K;
} axis_act;

typedef struct {
  float *n, *lm, *lr, *V, *t, *u, *V1, *V2, *im, *ir, *z, *a1, *g1;
  axis_act ax[3];
} iter_act;

/* Named pointers into a slab (values or gradients), resolved once by fc_ifactformer_create. */
typedef struct {
  float *pool_weight, *norm_weight, *norm_bias, *gate_weight, *gate_bias, *mlp_out_weight, *mlp_out_bias, *to_q_weight, *to_k_weight;
} ifact_axis_tensors; /* block.A.* (A = x, y, z) */
typedef struct {
  float *lift_weight, *lift_bias, *lift_out_weight, *pe_B, *pe_linear_weight, *pe_linear_bias, *block_norm_weight, *block_norm_bias, *block_to_v_weight, *block_to_in_weight, *block_to_out1_weight, *block_to_out2_weight, *proj1_weight, *proj2_weight, *proj2_bias;
  ifact_axis_tensors ax[3];
} ifact_tensors;

struct fc_ifactformer {
  fc_ifactformer_config c;
  fc_params p;
  ifact_tensors w, g; /* values and gradients */
  int W, G, HV, HK, Dk, nV;
  /* set by setup: dims are this rank's (nxl, Y, Z), seq the whole grid's (X, Y, Z) */
  int B, dims[3], seq[3], x0;
  long P, M;
  MPI_Comm comm;   /* the x slabs' communicator (MPI_COMM_SELF: the whole grid here) */
  int nranks;
  int *planes, *first; /* x planes and first plane of every rank */
  int *cnt, *dsp;      /* Allgatherv counts and displacements (scratch) */
  float *Vfull;        /* all x planes of V (distributed x contraction) */
  float *ws;
  float *coord[3], *pos[3], *pts; /* coordinates per axis, RoPE positions [B Na H], points [P][3] */
  float *x, *la, *ga, *ff, *h;
  iter_act *it;
  /* scratch */
  float *tmp, *tmp2, *dh, *dn, *dV, *dt, *du, *dz, *da, *dV1, *dV2;
  float *sa, *sb, *sc, *sd, *dK, *dq, *dk;
};

static const char AXN[3] = {'x', 'y', 'z'};

const char *fc_ifactformer_type(const fc_ifactformer *m)
{
  return m->c.variant == FC_IFACT_CHAINED ? "ifactformer_o" : "ifactformer_m";
}
const fc_ifactformer_config *fc_ifactformer_get_config(const fc_ifactformer *m) { return &m->c; }
fc_params *fc_ifactformer_params(fc_ifactformer *m) { return &m->p; }

/* Resolves every tensor's value and gradient pointer (after fc_params_alloc). */
static fc_err resolve_tensors(fc_ifactformer *m)
{
  const struct {
    const char *name;
    float **w, **g;
  } top[] = {
      {"lift.weight", &m->w.lift_weight, &m->g.lift_weight},
      {"lift.bias", &m->w.lift_bias, &m->g.lift_bias},
      {"lift_out.weight", &m->w.lift_out_weight, &m->g.lift_out_weight},
      {"pe.B", &m->w.pe_B, &m->g.pe_B},
      {"pe.linear.weight", &m->w.pe_linear_weight, &m->g.pe_linear_weight},
      {"pe.linear.bias", &m->w.pe_linear_bias, &m->g.pe_linear_bias},
      {"block.norm.weight", &m->w.block_norm_weight, &m->g.block_norm_weight},
      {"block.norm.bias", &m->w.block_norm_bias, &m->g.block_norm_bias},
      {"block.to_v.weight", &m->w.block_to_v_weight, &m->g.block_to_v_weight},
      {"block.to_in.weight", &m->w.block_to_in_weight, &m->g.block_to_in_weight},
      {"block.to_out1.weight", &m->w.block_to_out1_weight, &m->g.block_to_out1_weight},
      {"block.to_out2.weight", &m->w.block_to_out2_weight, &m->g.block_to_out2_weight},
      {"proj1.weight", &m->w.proj1_weight, &m->g.proj1_weight},
      {"proj2.weight", &m->w.proj2_weight, &m->g.proj2_weight},
      {"proj2.bias", &m->w.proj2_bias, &m->g.proj2_bias},
};
  for (size_t i = 0; i < sizeof top / sizeof top[0]; i++) FcCall(fc_params_resolve(&m->p, top[i].name, top[i].w, top[i].g));
  for (int a = 0; a < 3; a++) {
    ifact_axis_tensors *w = &m->w.ax[a], *g = &m->g.ax[a];
    const struct {
      const char *what;
      float **w, **g;
    } per[] = {
        {"pool.weight", &w->pool_weight, &g->pool_weight},
        {"norm.weight", &w->norm_weight, &g->norm_weight},
        {"norm.bias", &w->norm_bias, &g->norm_bias},
        {"gate.weight", &w->gate_weight, &g->gate_weight},
        {"gate.bias", &w->gate_bias, &g->gate_bias},
        {"mlp_out.weight", &w->mlp_out_weight, &g->mlp_out_weight},
        {"mlp_out.bias", &w->mlp_out_bias, &g->mlp_out_bias},
        {"to_q.weight", &w->to_q_weight, &g->to_q_weight},
        {"to_k.weight", &w->to_k_weight, &g->to_k_weight},
};
    for (size_t i = 0; i < sizeof per / sizeof per[0]; i++) {
      char name[FC_TENSOR_NAME_MAX];
      snprintf(name, sizeof name, "block.%c.%s", AXN[a], per[i].what);
      FcCall(fc_params_resolve(&m->p, name, per[i].w, per[i].g));
    }
  }
  return FC_SUCCESS;
}

static void zero(float *a, long n) { memset(a, 0, sizeof(float) * (size_t)n); }

static void free_setup(fc_ifactformer *m)
{
  free(m->ws);
  free(m->it);
  free(m->planes);
  m->ws = NULL;
  m->it = NULL;
  m->planes = NULL;
}

fc_err fc_ifactformer_create(const fc_ifactformer_config *cfg, fc_ifactformer **mp)
{
  const fc_ifactformer_config *c = cfg;
  if (c->C < 2 || c->C % 2) FcRaise(FC_ERR_INPUT, "IFactFormer width C = %d: expected a positive even number", c->C);
  if (c->H < 1 || c->Dv < 1 || c->mult < 1 || (c->mult * c->Dv) % 2)
    FcRaise(FC_ERR_INPUT, "IFactFormer heads %d, Dv %d, multiplier %d: expected positive values and Dk = mult Dv even",
            c->H, c->Dv, c->mult);
  if (c->L < 1 || c->L > MAX_ITERS) FcRaise(FC_ERR_INPUT, "IFactFormer with L = %d iterations: expected 1 to %d", c->L,
                                            MAX_ITERS);
  if (c->variant != FC_IFACT_PARALLEL && c->variant != FC_IFACT_CHAINED)
    FcRaise(FC_ERR_INPUT, "IFactFormer variant %d: expected parallel (m) or chained (o)", (int)c->variant);
  const int W = c->lift_width ? c->lift_width : c->C / 2;
  if (W < 3 || W % 3)
    FcRaise(FC_ERR_INPUT, "IFactFormer lifting width %d: expected a positive multiple of 3 (C/2 by default)", W);
  fc_ifactformer *m;
  FcCall(FcMalloc(1, &m));
  m->c = *c;
  m->c.lift_width = W;
  m->W = W;
  m->G = c->C / 2;
  m->Dk = c->mult * c->Dv;
  m->HV = c->H * c->Dv;
  m->HK = c->H * m->Dk;
  m->nV = (c->variant == FC_IFACT_PARALLEL ? 3 : 1) * m->HV;
  fc_params_init(&m->p);
  const long C = c->C;
  struct {
    const char *name;
    int ndim;
    long s0, s1, s2;
    int train;
  } t[] = {{"lift.weight", 3, W, 1, 1, 1},        {"lift.bias", 1, W, 0, 0, 1},
           {"lift_out.weight", 2, C, W, 0, 1},    {"pe.B", 2, 3, m->G, 0, 0},
           {"pe.linear.weight", 2, C, C, 0, 1},   {"pe.linear.bias", 1, C, 0, 0, 1},
           {"block.norm.weight", 1, C, 0, 0, 1},  {"block.norm.bias", 1, C, 0, 0, 1},
           {"block.to_v.weight", 2, m->HV, C, 0, 1}, {"block.to_in.weight", 2, C, C, 0, 1}};
  fc_err e = FC_SUCCESS;
  for (size_t i = 0; i < sizeof t / sizeof t[0] && !e; i++)
    e = fc_params_add(&m->p, t[i].name, t[i].ndim, (long[]){t[i].s0, t[i].s1, t[i].s2}, t[i].train, NULL);
  for (int a = 0; a < 3 && !e; a++) {
    struct {
      const char *what;
      int ndim;
      long s0, s1;
    } ta[] = {{"pool.weight", 2, C, C},    {"norm.weight", 1, C, 0},       {"norm.bias", 1, C, 0},
              {"gate.weight", 2, 2 * C, C}, {"gate.bias", 1, 2 * C, 0},    {"mlp_out.weight", 2, C, C},
              {"mlp_out.bias", 1, C, 0},   {"to_q.weight", 2, m->HK, C}, {"to_k.weight", 2, m->HK, C}};
    for (size_t i = 0; i < sizeof ta / sizeof ta[0] && !e; i++) {
      char name[FC_TENSOR_NAME_MAX];
      snprintf(name, sizeof name, "block.%c.%s", AXN[a], ta[i].what);
      e = fc_params_add(&m->p, name, ta[i].ndim, (long[]){ta[i].s0, ta[i].s1}, 1, NULL);
    }
  }
  if (!e) e = fc_params_add(&m->p, "block.to_out1.weight", 2, (long[]){C, m->nV}, 1, NULL);
  if (!e) e = fc_params_add(&m->p, "block.to_out2.weight", 2, (long[]){C, C}, 1, NULL);
  if (!e) e = fc_params_add(&m->p, "proj1.weight", 2, (long[]){m->G, C}, 1, NULL);
  if (!e) e = fc_params_add(&m->p, "proj2.weight", 2, (long[]){3, m->G}, 1, NULL);
  if (!e) e = fc_params_add(&m->p, "proj2.bias", 1, (long[]){3}, 1, NULL);
  if (!e) e = fc_params_alloc(&m->p);
  if (!e) e = resolve_tensors(m);
  if (e) {
    fc_ifactformer_destroy(&m);
    return e;
  }
  *mp = m;
  return FC_SUCCESS;
}

fc_err fc_ifactformer_destroy(fc_ifactformer **mp)
{
  fc_ifactformer *m = *mp;
  if (!m) return FC_SUCCESS;
  free_setup(m);
  fc_params_free(&m->p);
  free(m);
  *mp = NULL;
  return FC_SUCCESS;
}

fc_err fc_ifactformer_init(fc_ifactformer *m, unsigned long long seed)
{
  fc_params *p = &m->p;
  for (int i = 0; i < p->ntensors; i++) {
    const fc_tensor_info *t = &p->t[i];
    float *v = p->data + t->offset;
    const char *dot = strrchr(t->name, '.');
    if (!strcmp(t->name, "pe.B")) {
      FcCall(fc_params_init_normal(p, t->name, seed, 8.0));
    } else if (strstr(t->name, "norm.")) {
      const float val = !strcmp(dot, ".weight") ? 1.0f : 0.0f;
      for (long j = 0; j < t->size; j++) v[j] = val;
    } else if (strstr(t->name, "to_q.") || strstr(t->name, "to_k.")) {
      FcCall(fc_params_init_uniform(p, t->name, seed, 0.02 * sqrt(6.0 / (double)(t->shape[0] + t->shape[1]))));
    } else {
      char wname[FC_TENSOR_NAME_MAX];
      snprintf(wname, sizeof wname, "%.*s.weight", (int)(dot - t->name), t->name);
      const fc_tensor_info *w = fc_params_find(p, wname);
      FcCall(fc_params_init_uniform(p, t->name, seed, 1.0 / sqrt((double)w->shape[1])));
    }
  }
  return FC_SUCCESS;
}

/* Lays the workspace out (ws NULL: counts only); returns the floats used. */
static long layout(fc_ifactformer *m, float *ws)
{
  const long M = m->M, P = m->P, C = m->c.C, W = m->W, HV = m->HV, HK = m->HK, nV = m->nV, B = m->B;
  const int L = m->c.L;
  long off = 0, nmax = 0;
#define TAKE(ptr, n)                          \
  do {                                        \
    if (ws) (ptr) = ws + off;                 \
    off += ((long)(n) + 15) / 16 * 16;        \
  } while (0)
  for (int a = 0; a < 3; a++) {
    TAKE(m->coord[a], m->seq[a]);
    TAKE(m->pos[a], B * m->seq[a] * m->c.H);
    if (m->seq[a] > nmax) nmax = m->seq[a];
  }
  if (m->nranks > 1) TAKE(m->Vfull, B * (long)m->seq[0] * m->seq[1] * m->seq[2] * HV);
  TAKE(m->pts, P * 3);
  TAKE(m->x, M * 3);
  TAKE(m->la, M * W);
  TAKE(m->ga, M * W);
  TAKE(m->ff, P * C);
  TAKE(m->h, (L + 1) * M * C);
  for (int l = 0; l < L; l++) {
    iter_act *it = ws ? &m->it[l] : NULL;
    iter_act sink;
    if (!it) it = &sink;
    TAKE(it->n, M * C);
    TAKE(it->lm, M);
    TAKE(it->lr, M);
    TAKE(it->V, M * HV);
    TAKE(it->t, M * C);
    TAKE(it->u, M * nV);
    if (m->c.variant == FC_IFACT_CHAINED) {
      TAKE(it->V1, M * HV);
      TAKE(it->V2, M * HV);
    }
    TAKE(it->im, B * nV);
    TAKE(it->ir, B * nV);
    TAKE(it->z, M * nV);
    TAKE(it->a1, M * C);
    TAKE(it->g1, M * C);
    for (int a = 0; a < 3; a++) {
      axis_act *x = &it->ax[a];
      const long S = B * m->seq[a];
      TAKE(x->pt, S * C);
      TAKE(x->pa, S * C);
      TAKE(x->n2, S * C);
      TAKE(x->m2, S);
      TAKE(x->r2, S);
      TAKE(x->g, S * 2 * C);
      TAKE(x->gg, S * C);
      TAKE(x->s, S * C);
      TAKE(x->q, S * HK);
      TAKE(x->k, S * HK);
      TAKE(x->K, B * m->c.H * m->seq[a] * m->seq[a]);
    }
  }
  const long wide = C > nV ? (C > W ? C : W) : (nV > W ? nV : W);
  TAKE(m->tmp, M * (wide > HV ? wide : HV));
  TAKE(m->tmp2, M * (wide > HV ? wide : HV));
  TAKE(m->dh, M * C);
  TAKE(m->dn, M * C);
  TAKE(m->dV, M * HV);
  TAKE(m->dV1, M * HV);
  TAKE(m->dV2, M * HV);
  TAKE(m->dt, M * C);
  TAKE(m->du, M * nV);
  TAKE(m->dz, M * nV);
  TAKE(m->da, M * (C > W ? C : W));
  const long S = B * nmax, SW = S * (2 * C > HK ? 2 * C : HK);
  TAKE(m->sa, SW);
  TAKE(m->sb, SW);
  TAKE(m->sc, SW);
  TAKE(m->sd, SW);
  TAKE(m->dK, B * m->c.H * nmax * nmax);
  TAKE(m->dq, S * HK);
  TAKE(m->dk, S * HK);
#undef TAKE
  return off;
}

long fc_ifactformer_workspace_floats(const fc_ifactformer_config *cfg, int B, const int dims[3])
{
  fc_ifactformer tmp;
  memset(&tmp, 0, sizeof tmp);
  tmp.c = *cfg;
  tmp.W = cfg->lift_width ? cfg->lift_width : cfg->C / 2;
  tmp.Dk = cfg->mult * cfg->Dv;
  tmp.HV = cfg->H * cfg->Dv;
  tmp.HK = cfg->H * tmp.Dk;
  tmp.nV = (cfg->variant == FC_IFACT_PARALLEL ? 3 : 1) * tmp.HV;
  tmp.B = B;
  tmp.nranks = 1;
  memcpy(tmp.dims, dims, sizeof tmp.dims);
  memcpy(tmp.seq, dims, sizeof tmp.seq);
  tmp.P = (long)dims[0] * dims[1] * dims[2];
  tmp.M = B * tmp.P;
  return layout(&tmp, NULL);
}

fc_err fc_ifactformer_setup(fc_ifactformer *m, int B, const int dims[3], const float *cx, const float *cy,
                            const float *cz)
{
  if (B < 1 || dims[0] < 1 || dims[1] < 1 || dims[2] < 1)
    FcRaise(FC_ERR_INPUT, "IFactFormer setup: batch %d on grid %d x %d x %d: expected positive sizes", B, dims[0], dims[1],
            dims[2]);
  return fc_ifactformer_setup_slab(m, MPI_COMM_SELF, B, dims, 0, dims[0], cx, cy, cz);
}

fc_err fc_ifactformer_setup_slab(fc_ifactformer *m, MPI_Comm comm, int B, const int dims[3], int x0, int nxl,
                                 const float *cx, const float *cy, const float *cz)
{
  if (nxl == 0) x0 = 0; /* a rank past the end of the grid: no planes */
  if (B < 1 || dims[0] < 1 || dims[1] < 1 || dims[2] < 1 || x0 < 0 || nxl < 0 || x0 + nxl > dims[0])
    FcRaiseLocal(FC_ERR_INPUT, "IFactFormer setup: batch %d on grid %d x %d x %d, planes [%d, %d): expected positive "
                 "sizes and planes inside the grid", B, dims[0], dims[1], dims[2], x0, x0 + nxl);
  free_setup(m);
  m->comm = comm;
  FcCallMPI(MPI_Comm_size(comm, &m->nranks));
  FcCall(FcMalloc(4 * (long)m->nranks, &m->planes));
  m->first = m->planes + m->nranks;
  m->cnt = m->first + m->nranks;
  m->dsp = m->cnt + m->nranks;
  int mine[2] = {nxl, x0}, *all; /* (planes, first) of every rank */
  FcCall(FcMalloc(2 * (long)m->nranks, &all));
  fc_err e = MPI_Allgather(mine, 2, MPI_INT, all, 2, MPI_INT, comm) == MPI_SUCCESS ? FC_SUCCESS : FC_ERR_MPI;
  int total = 0;
  for (int r = 0; r < m->nranks && !e; r++) {
    m->planes[r] = all[2 * r];
    m->first[r] = total;
    if (m->planes[r] > 0 && all[2 * r + 1] != total) e = FC_ERR_INPUT;
    total += m->planes[r];
  }
  free(all);
  if (e == FC_ERR_MPI) FcRaiseLocal(FC_ERR_MPI, "MPI_Allgather of the IFactFormer slabs failed");
  if (e || total != dims[0])
    FcRaiseComm(comm, FC_ERR_INPUT, "IFactFormer setup: the ranks' x planes do not tile the %d planes in rank order",
                dims[0]);
  if (m->nranks > 1 && (long)B * dims[0] * dims[1] * dims[2] * m->HV > INT_MAX)
    FcRaiseComm(comm, FC_ERR_INPUT, "IFactFormer over x slabs: batch %d on %d x %d x %d with %d value channels exceeds the "
                "%d elements one MPI gather can count", B, dims[0], dims[1], dims[2], m->HV, INT_MAX);
  m->B = B;
  memcpy(m->seq, dims, sizeof m->seq);
  memcpy(m->dims, dims, sizeof m->dims);
  m->dims[0] = nxl;
  m->x0 = x0;
  m->P = (long)nxl * dims[1] * dims[2];
  m->M = B * m->P;
  const long n = layout(m, NULL);
  float *ws;
  iter_act *it;
  FcCall(FcMalloc(n, &ws));
  e = FcMalloc(m->c.L, &it);
  if (e) {
    free(ws);
    return e;
  }
  memset(ws, 0, sizeof(float) * (size_t)n);
  m->ws = ws;
  m->it = it;
  layout(m, ws);
  const float *cs[3] = {cx, cy, cz};
  for (int a = 0; a < 3; a++) {
    memcpy(m->coord[a], cs[a], sizeof(float) * (size_t)dims[a]);
    for (int b = 0; b < B; b++)
      for (int i = 0; i < dims[a]; i++)
        for (int h = 0; h < m->c.H; h++) m->pos[a][((long)b * dims[a] + i) * m->c.H + h] = cs[a][i];
  }
  for (long q = 0; q < m->P; q++) {
    m->pts[3 * q + 0] = cx[x0 + q / ((long)dims[1] * dims[2])];
    m->pts[3 * q + 1] = cy[(q / dims[2]) % dims[1]];
    m->pts[3 * q + 2] = cz[q % dims[2]];
  }
  return FC_SUCCESS;
}

/* pt [B][seq a][C]: the mean of t over the two axes other than a, over the whole grid. On one
 * rank the plain pooling; on slabs, x gathers the planes' means, y and z sum the slabs' shares. */
static fc_err axis_pool(fc_ifactformer *m, int a, float *pt, const float *t)
{
  const int B = m->B, C = m->c.C, nxl = m->dims[0];
  const unsigned axes = 7u & ~(1u << a);
  if (m->nranks == 1) {
    fc_meanpool_forward(pt, t, B, m->dims, C, axes);
    return FC_SUCCESS;
  }
  if (a == 0) {
    fc_meanpool_forward(m->sa, t, B, m->dims, C, axes);
    for (int r = 0; r < m->nranks; r++) {
      m->cnt[r] = m->planes[r] * C;
      m->dsp[r] = m->first[r] * C;
    }
    for (int b = 0; b < B; b++)
      FcCallMPI(MPI_Allgatherv(m->sa + (long)b * nxl * C, nxl * C, MPI_FLOAT, pt + (long)b * m->seq[0] * C, m->cnt,
                               m->dsp, MPI_FLOAT, m->comm));
    return FC_SUCCESS;
  }
  const long n = (long)B * m->seq[a] * C;
  if (nxl > 0) {
    fc_meanpool_forward(pt, t, B, m->dims, C, axes);
    const float share = (float)nxl / (float)m->seq[0];
    for (long i = 0; i < n; i++) pt[i] *= share;
  } else
    zero(pt, n);
  FcCallMPI(MPI_Allreduce(MPI_IN_PLACE, pt, (int)n, MPI_FLOAT, MPI_SUM, m->comm));
  return FC_SUCCESS;
}

/* out [B][nxl][Y][Z][H Dv] = Kx V along x for this rank's planes; V is this rank's slab. On one
 * rank the operator; on slabs V's planes are gathered first, then one small product per head
 * and (y, z) point: out[i][p][h] = K[h][x0 + i][:] V[:][p][h]. */
static fc_err contract_x(fc_ifactformer *m, float *out, const float *V, const float *K)
{
  const int B = m->B, H = m->c.H, Dv = m->c.Dv, X = m->seq[0], nxl = m->dims[0];
  if (m->nranks == 1) {
    fc_axis_contract_forward(out, V, K, B, m->dims, H, Dv, 0);
    return FC_SUCCESS;
  }
  const long YZ = (long)m->dims[1] * m->dims[2], HV = m->HV, plane = YZ * HV;
  for (int r = 0; r < m->nranks; r++) {
    m->cnt[r] = (int)(m->planes[r] * plane);
    m->dsp[r] = (int)(m->first[r] * plane);
  }
  for (int b = 0; b < B; b++)
    FcCallMPI(MPI_Allgatherv(V + (long)b * nxl * plane, (int)(nxl * plane), MPI_FLOAT, m->Vfull + (long)b * X * plane,
                             m->cnt, m->dsp, MPI_FLOAT, m->comm));
  if (nxl == 0) return FC_SUCCESS;
  for (int b = 0; b < B; b++)
    for (int h = 0; h < H; h++) {
      const float *Kh = K + (((long)b * H + h) * X + m->x0) * X;
      for (long p = 0; p < YZ; p++)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, nxl, Dv, X, 1.0f, Kh, X,
                    m->Vfull + (long)b * X * plane + p * HV + (long)h * Dv, (int)plane, 0.0f,
                    out + (long)b * nxl * plane + p * HV + (long)h * Dv, (int)plane);
    }
  return FC_SUCCESS;
}

/* out [M][HV] -> columns [a HV, (a+1) HV) of u [M][nV] (dir 0), or back (dir 1). */
static void scatter(float *u, float *out, long M, int HV, int nV, int a, int dir)
{
  for (long i = 0; i < M; i++) {
    if (dir == 0) memcpy(u + i * nV + a * HV, out + i * HV, sizeof(float) * (size_t)HV);
    else memcpy(out + i * HV, u + i * nV + a * HV, sizeof(float) * (size_t)HV);
  }
}

static fc_err block_forward(fc_ifactformer *m, iter_act *it, float *fa, const float *h)
{
  const long M = m->M, C = m->c.C, HV = m->HV, HK = m->HK, nV = m->nV;
  const int B = m->B, H = m->c.H;
  fc_layernorm_forward(it->n, it->lm, it->lr, h, m->w.block_norm_weight, m->w.block_norm_bias, M, (int)C,
                       LN_EPS);
  fc_linear_forward(it->V, it->n, m->w.block_to_v_weight, NULL, M, (int)C, (int)HV);
  fc_linear_forward(it->t, it->n, m->w.block_to_in_weight, NULL, M, (int)C, (int)C);
  for (int a = 0; a < 3; a++) {
    axis_act *x = &it->ax[a];
    const int Na = m->seq[a];
    const long S = (long)B * Na;
    FcCall(axis_pool(m, a, x->pt, it->t));
    fc_linear_forward(x->pa, x->pt, m->w.ax[a].pool_weight, NULL, S, (int)C, (int)C);
    fc_layernorm_forward(x->n2, x->m2, x->r2, x->pa, m->w.ax[a].norm_weight, m->w.ax[a].norm_bias, S, (int)C,
                         LN_EPS);
    fc_linear_forward(x->g, x->n2, m->w.ax[a].gate_weight, m->w.ax[a].gate_bias, S, (int)C, 2 * (int)C);
    fc_gated_gelu_forward(x->gg, x->g, S, (int)C);
    fc_linear_forward(x->s, x->gg, m->w.ax[a].mlp_out_weight, m->w.ax[a].mlp_out_bias, S, (int)C, (int)C);
    fc_linear_forward(x->q, x->s, m->w.ax[a].to_q_weight, NULL, S, (int)C, (int)HK);
    fc_linear_forward(x->k, x->s, m->w.ax[a].to_k_weight, NULL, S, (int)C, (int)HK);
    fc_rope_forward(x->q, x->q, m->pos[a], S * H, m->Dk, m->c.freq_scale);
    fc_rope_forward(x->k, x->k, m->pos[a], S * H, m->Dk, m->c.freq_scale);
    fc_axis_kernel_forward(x->K, x->q, x->k, B, Na, H, m->Dk);
  }
  if (m->c.variant == FC_IFACT_PARALLEL) {
    for (int a = 0; a < 3; a++) {
      if (a == 0) FcCall(contract_x(m, m->tmp, it->V, it->ax[0].K));
      else fc_axis_contract_forward(m->tmp, it->V, it->ax[a].K, B, m->dims, H, m->c.Dv, a);
      scatter(it->u, m->tmp, M, (int)HV, (int)nV, a, 0);
    }
  } else {
    FcCall(contract_x(m, it->V1, it->V, it->ax[0].K));
    fc_axis_contract_forward(it->V2, it->V1, it->ax[1].K, B, m->dims, H, m->c.Dv, 1);
    fc_axis_contract_forward(it->u, it->V2, it->ax[2].K, B, m->dims, H, m->c.Dv, 2);
  }
  if (m->nranks == 1) fc_instancenorm_forward(it->z, it->im, it->ir, it->u, B, m->P, (int)nV, IN_EPS);
  else
    FcCall(fc_instancenorm_forward_slab(it->z, it->im, it->ir, it->u, B, m->P,
                                        (long)m->seq[0] * m->seq[1] * m->seq[2], (int)nV, IN_EPS, m->comm));
  fc_linear_forward(it->a1, it->z, m->w.block_to_out1_weight, NULL, M, (int)nV, (int)C);
  fc_gelu_forward(it->g1, it->a1, M * C);
  fc_linear_forward(fa, it->g1, m->w.block_to_out2_weight, NULL, M, (int)C, (int)C);
  return FC_SUCCESS;
}

fc_err fc_ifactformer_forward(fc_ifactformer *m, float *y, const float *x)
{
  if (!m->ws) FcRaise(FC_ERR_INTERNAL, "fc_ifactformer_forward before fc_ifactformer_setup");
  const long M = m->M, P = m->P, C = m->c.C, W = m->W;
  const int L = m->c.L;
  memcpy(m->x, x, sizeof(float) * (size_t)(M * 3));
  fc_grouped_lift_forward(m->la, x, m->w.lift_weight, m->w.lift_bias, M, 3, (int)W / 3);
  fc_gelu_forward(m->ga, m->la, M * W);
  fc_linear_forward(m->h, m->ga, m->w.lift_out_weight, NULL, M, (int)W, (int)C);
  fc_fourier_features_forward(m->ff, m->pts, m->w.pe_B, P, 3, m->G);
  fc_linear_forward(m->tmp, m->ff, m->w.pe_linear_weight, m->w.pe_linear_bias, P, (int)C, (int)C);
  for (int b = 0; b < m->B; b++)
    for (long i = 0; i < P * C; i++) m->h[b * P * C + i] += m->tmp[i];
  const float inv = 1.0f / (float)L;
  for (int l = 0; l < L; l++) {
    const float *hl = m->h + l * M * C;
    float *hn = m->h + (l + 1) * M * C;
    FcCall(block_forward(m, &m->it[l], m->tmp2, hl));
    for (long i = 0; i < M * C; i++) hn[i] = hl[i] + inv * m->tmp2[i];
  }
  /* projection: reuse da (M x >= C) for proj1's output, tmp for GELU */
  fc_linear_forward(m->da, m->h + L * M * C, m->w.proj1_weight, NULL, M, (int)C, m->G);
  fc_gelu_forward(m->tmp, m->da, M * m->G);
  fc_linear_forward(y, m->tmp, m->w.proj2_weight, m->w.proj2_bias, M, m->G, 3);
  return FC_SUCCESS;
}

/* dfa: dL/dFA [M][C]; accumulates into dh (dL/dh, the block's input) and the gradients. */
static void block_backward(fc_ifactformer *m, const iter_act *it, float *dh, const float *dfa, const float *h)
{
  const long M = m->M, C = m->c.C, HV = m->HV, HK = m->HK, nV = m->nV;
  const int B = m->B, H = m->c.H, Dv = m->c.Dv;
  zero(m->da, M * C);
  fc_linear_backward(m->da, m->g.block_to_out2_weight, NULL, dfa, it->g1, m->w.block_to_out2_weight, M,
                     (int)C, (int)C);
  zero(m->tmp, M * C);
  fc_gelu_backward(m->tmp, m->da, it->a1, M * C);
  zero(m->dz, M * nV);
  fc_linear_backward(m->dz, m->g.block_to_out1_weight, NULL, m->tmp, it->z, m->w.block_to_out1_weight, M,
                     (int)nV, (int)C);
  zero(m->du, M * nV);
  fc_instancenorm_backward(m->du, m->dz, it->u, it->im, it->ir, B, m->P, (int)nV);
  zero(m->dV, M * HV);
  /* one axis at a time (o: axis 2, 1, 0, the chain in reverse), the kernel's gradient in m->dK */
  for (int step = 0; step < 3; step++) {
    const int a = m->c.variant == FC_IFACT_CHAINED ? 2 - step : step;
    const axis_act *x = &it->ax[a];
    const int Na = m->dims[a];
    const long S = (long)B * Na;
    zero(m->dK, (long)B * H * Na * Na);
    if (m->c.variant == FC_IFACT_PARALLEL) {
      scatter(m->du, m->tmp, M, (int)HV, (int)nV, a, 1);
      fc_axis_contract_backward(m->dV, m->dK, m->tmp, it->V, x->K, B, m->dims, H, Dv, a);
    } else if (a == 2) {
      zero(m->dV2, M * HV);
      fc_axis_contract_backward(m->dV2, m->dK, m->du, it->V2, x->K, B, m->dims, H, Dv, 2);
    } else if (a == 1) {
      zero(m->dV1, M * HV);
      fc_axis_contract_backward(m->dV1, m->dK, m->dV2, it->V1, x->K, B, m->dims, H, Dv, 1);
    } else {
      fc_axis_contract_backward(m->dV, m->dK, m->dV1, it->V, x->K, B, m->dims, H, Dv, 0);
    }
    /* the axis branch */
    zero(m->dq, S * HK);
    zero(m->dk, S * HK);
    fc_axis_kernel_backward(m->dq, m->dk, m->dK, x->q, x->k, B, Na, H, m->Dk);
    zero(m->sa, S * HK);
    zero(m->sb, S * HK);
    fc_rope_backward(m->sa, m->dq, m->pos[a], S * H, m->Dk, m->c.freq_scale);
    fc_rope_backward(m->sb, m->dk, m->pos[a], S * H, m->Dk, m->c.freq_scale);
    zero(m->sc, S * C);
    fc_linear_backward(m->sc, m->g.ax[a].to_q_weight, NULL, m->sa, x->s, m->w.ax[a].to_q_weight, S, (int)C,
                       (int)HK);
    fc_linear_backward(m->sc, m->g.ax[a].to_k_weight, NULL, m->sb, x->s, m->w.ax[a].to_k_weight, S, (int)C,
                       (int)HK);
    zero(m->sd, S * C);
    fc_linear_backward(m->sd, m->g.ax[a].mlp_out_weight, m->g.ax[a].mlp_out_bias, m->sc, x->gg,
                       m->w.ax[a].mlp_out_weight, S, (int)C, (int)C);
    zero(m->sa, S * 2 * C);
    fc_gated_gelu_backward(m->sa, m->sd, x->g, S, (int)C);
    zero(m->sb, S * C);
    fc_linear_backward(m->sb, m->g.ax[a].gate_weight, m->g.ax[a].gate_bias, m->sa, x->n2, m->w.ax[a].gate_weight,
                       S, (int)C, 2 * (int)C);
    zero(m->sc, S * C);
    fc_layernorm_backward(m->sc, m->g.ax[a].norm_weight, m->g.ax[a].norm_bias, m->sb, x->pa, x->m2, x->r2,
                          m->w.ax[a].norm_weight, S, (int)C);
    zero(m->sd, S * C);
    fc_linear_backward(m->sd, m->g.ax[a].pool_weight, NULL, m->sc, x->pt, m->w.ax[a].pool_weight, S, (int)C,
                       (int)C);
    if (step == 0) zero(m->dt, M * C);
    fc_meanpool_backward(m->dt, m->sd, B, m->dims, (int)C, 7u & ~(1u << a));
  }
  zero(m->dn, M * C);
  fc_linear_backward(m->dn, m->g.block_to_in_weight, NULL, m->dt, it->n, m->w.block_to_in_weight, M, (int)C,
                     (int)C);
  fc_linear_backward(m->dn, m->g.block_to_v_weight, NULL, m->dV, it->n, m->w.block_to_v_weight, M, (int)C,
                     (int)HV);
  fc_layernorm_backward(dh, m->g.block_norm_weight, m->g.block_norm_bias, m->dn, h, it->lm, it->lr,
                        m->w.block_norm_weight, M, (int)C);
}

fc_err fc_ifactformer_backward(fc_ifactformer *m, float *dx, const float *dy)
{
  if (!m->ws) FcRaise(FC_ERR_INTERNAL, "fc_ifactformer_backward before fc_ifactformer_setup");
  if (m->nranks > 1)
    FcRaiseComm(m->comm, FC_ERR_INPUT, "IFactFormer backward over x slabs is not implemented: training is data-parallel "
                "(whole grids per rank)");
  const long M = m->M, P = m->P, C = m->c.C, W = m->W, Gw = m->G;
  const int L = m->c.L;
  /* projection (recompute proj1's output into da and its GELU into tmp) */
  const float *hL = m->h + L * M * C;
  fc_linear_forward(m->da, hL, m->w.proj1_weight, NULL, M, (int)C, (int)Gw);
  fc_gelu_forward(m->tmp, m->da, M * Gw);
  zero(m->tmp2, M * Gw);
  fc_linear_backward(m->tmp2, m->g.proj2_weight, m->g.proj2_bias, dy, m->tmp, m->w.proj2_weight, M,
                     (int)Gw, 3);
  zero(m->tmp, M * Gw);
  fc_gelu_backward(m->tmp, m->tmp2, m->da, M * Gw);
  zero(m->dh, M * C);
  fc_linear_backward(m->dh, m->g.proj1_weight, NULL, m->tmp, hL, m->w.proj1_weight, M, (int)C, (int)Gw);
  /* iterations in reverse: h[l+1] = h[l] + FA(h[l]) / L; dh holds dL/dh[l+1], then dL/dh[l] */
  const float inv = 1.0f / (float)L;
  for (int l = L - 1; l >= 0; l--) {
    for (long i = 0; i < M * C; i++) m->tmp2[i] = inv * m->dh[i];
    block_backward(m, &m->it[l], m->dh, m->tmp2, m->h + l * M * C);
  }
  /* h[0] = lift_out(GELU(lift x)) + pe.linear(ff) */
  for (int b = 0; b < m->B; b++)
    fc_linear_backward(NULL, m->g.pe_linear_weight, m->g.pe_linear_bias, m->dh + b * P * C, m->ff,
                       m->w.pe_linear_weight, P, (int)C, (int)C);
  zero(m->tmp, M * W);
  fc_linear_backward(m->tmp, m->g.lift_out_weight, NULL, m->dh, m->ga, m->w.lift_out_weight, M, (int)W,
                     (int)C);
  zero(m->da, M * W);
  fc_gelu_backward(m->da, m->tmp, m->la, M * W);
  fc_grouped_lift_backward(dx, m->g.lift_weight, m->g.lift_bias, m->da, m->x, m->w.lift_weight, M, 3,
                           (int)W / 3);
  return FC_SUCCESS;
}

int fc_ifactformer_hparams(const fc_ifactformer *m, const char *coords, fc_hparam *h, int max)
{
  const fc_ifactformer_config *c = &m->c;
  const struct {
    const char *name;
    double v;
  } list[] = {{"ndim", 3},          {"in_channels", 3},         {"out_channels", 3},
              {"C", c->C},          {"H", c->H},                {"Dv", c->Dv},
              {"mult", c->mult},    {"L", c->L},                {"variant", c->variant},
              {"lift_width", m->W}, {"freq_scale", c->freq_scale}};
  int n = (int)(sizeof list / sizeof list[0]);
  for (int i = 0; i < n && i < max; i++) {
    memset(&h[i], 0, sizeof h[i]);
    snprintf(h[i].name, sizeof h[i].name, "%s", list[i].name);
    h[i].value = list[i].v;
  }
  if (n < max) {
    memset(&h[n], 0, sizeof h[n]);
    snprintf(h[n].name, sizeof h[n].name, "coords");
    h[n].is_text = 1;
    snprintf(h[n].text, sizeof h[n].text, "%s", coords ? coords : "linspace");
  }
  return n + 1;
}

fc_err fc_ifactformer_axis_coords(const char *coords, int n, double length, const double *grid, float *out)
{
  if (!strcmp(coords, "linspace")) {
    for (int i = 0; i < n; i++) out[i] = n > 1 ? (float)(i * length / (n - 1)) : 0.0f;
  } else if (!strcmp(coords, "physical") && grid) {
    for (int i = 0; i < n; i++) out[i] = (float)grid[i];
  } else
    FcRaise(FC_ERR_INPUT, "IFactFormer coordinates '%s': expected linspace or physical", coords);
  return FC_SUCCESS;
}
