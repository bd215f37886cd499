/* Implicit factorized transformer (IFactFormer-m, parallel; IFactFormer-o, chained), over a
 * whole (non-distributed) grid X x Y x Z, built from the core layers (operators/fc_nn.h).
 * Spec: shared/specs/ifactformer.md; PyTorch twin: tools/ifactformer_torch.py.
 *
 *   a = GELU(grouped_lift(x)) (3 -> lift_width, lift_width/3 per component);  h = a Wlo^T
 *   h += Linear(ff(p)),  ff(p) = [sin 2 pi p B, cos 2 pi p B],  B [3][C/2] frozen
 *   L times (one shared block FA): h = h + FA(h) / L
 *   y = proj2(GELU(proj1 h))
 * FA: n = LN(h); V = n Wv; t = n Win; per axis a: s = mean over the other axes of t Wp_a,
 *   s = mlp_out(GELU(g1) g2), [g1 g2] = gate(LN_a(s)); q, k = RoPE(s Wq_a), RoPE(s Wk_a) with the
 *   axis coordinate; K_a = q k^T per head. m: [Kx V, Ky V, Kz V] (3 H Dv channels); o: Kz Ky Kx V
 *   (H Dv); InstanceNorm (eps 1e-5, no affine); to_out2(GELU(to_out1(.))).
 *
 * Normalisation of inputs (u - mean) / std and de-normalisation of the outputs are left to the
 * caller: x and y are the normalised fields.
 * Data: channels last, float32, x [B][X][Y][Z][3], y [B][X][Y][Z][3]. Coordinates: the caller
 * passes the physical coordinates cx[X], cy[Y], cz[Z] (used by the Fourier features and by RoPE
 * per axis; the reference code uses linspace(0, L, n) with the endpoint).
 * Parameter names and shapes (PyTorch state-dict names of tools/ifactformer_torch.py), W =
 * lift_width, G = C/2, nV = 3 H Dv (m) or H Dv (o), Dk = mult Dv:
 *   lift.weight [W][1][1], lift.bias [W], lift_out.weight [C][W]
 *   pe.B [3][G] (frozen), pe.linear.weight [C][C], pe.linear.bias [C]
 *   block.norm.weight/bias [C], block.to_v.weight [H Dv][C], block.to_in.weight [C][C]
 *   block.A.pool.weight [C][C], block.A.norm.weight/bias [C], block.A.gate.weight [2C][C],
 *   block.A.gate.bias [2C], block.A.mlp_out.weight [C][C], block.A.mlp_out.bias [C],
 *   block.A.to_q.weight, block.A.to_k.weight [H Dk][C]           (A = x, y, z)
 *   block.to_out1.weight [C][nV], block.to_out2.weight [C][C]
 *   proj1.weight [G][C], proj2.weight [3][G], proj2.bias [3]
 * Checkpoints: fc_ifactformer_hparams / fc_ifactformer_config_from_hparams (every config field and
 * the text hyper-parameter 'coords': which coordinates the caller passed, "linspace" = linspace(0,
 * L, n) with the endpoint per axis as the reference code, or "physical" = the grid's coordinates).
 * Trained by `flowcast train` (model_type ifactformer_m / ifactformer_o, data-parallel) and rolled
 * out by `flowcast rollout` over x slabs on any number of ranks (fc_ifactformer_setup_slab). */
#ifndef FC_IFACTFORMER_H
#define FC_IFACTFORMER_H

#include "fc_checkpoint.h"
#include "fc_nn.h"
#include "fc_params.h"

typedef enum { FC_IFACT_PARALLEL = 0 /* IFactFormer-m */, FC_IFACT_CHAINED = 1 /* IFactFormer-o */ } fc_ifact_variant;

typedef struct {
  int C;              /* hidden width (even) */
  int H, Dv;          /* heads, value width per head */
  int mult;           /* kernel multiplier: Dk = mult Dv (Dk even) */
  int L;              /* implicit iterations of the shared block */
  fc_ifact_variant variant;
  int lift_width;     /* channels of the grouped lifting, a multiple of 3; 0: C/2 */
  float freq_scale;   /* RoPE frequency scale (the spec's 64) */
} fc_ifactformer_config;

typedef struct fc_ifactformer fc_ifactformer;

/* Declares and allocates the parameters (zero). */
fc_err fc_ifactformer_create(const fc_ifactformer_config *cfg, fc_ifactformer **m);
fc_err fc_ifactformer_destroy(fc_ifactformer **m);
/* The reference's initialisation from a seed: Linear/Conv U(+-1/sqrt(fan_in)), Q/K
 * xavier-uniform with gain 0.02, LayerNorm (1, 0), pe.B 8 N(0, 1). */
fc_err fc_ifactformer_init(fc_ifactformer *m, unsigned long long seed);
fc_params *fc_ifactformer_params(fc_ifactformer *m);
const fc_ifactformer_config *fc_ifactformer_get_config(const fc_ifactformer *m);
const char *fc_ifactformer_type(const fc_ifactformer *m); /* "ifactformer_m" or "ifactformer_o" */

/* Hyper-parameters for checkpoints: "ndim" (3), "in_channels"/"out_channels" (3), every config
 * field and the text "coords" (coords: "linspace" or "physical", see above). Returns the count. */
int fc_ifactformer_hparams(const fc_ifactformer *m, const char *coords, fc_hparam *h, int max);

/* The coordinates of one axis of n points and length `length` for the choice coords:
 * "linspace": i length / (n - 1) (0 when n = 1); "physical": grid[i] (the grid's coordinates). */
fc_err fc_ifactformer_axis_coords(const char *coords, int n, double length, const double *grid, float *out);

/* Floats of workspace (saved activations of every iteration and backward buffers) for
 * batch B on grid dims. */
long fc_ifactformer_workspace_floats(const fc_ifactformer_config *cfg, int B, const int dims[3]);
/* Prepares batch B on grid dims with coordinates cx[X], cy[Y], cz[Z] (copied). Re-call to change. */
fc_err fc_ifactformer_setup(fc_ifactformer *m, int B, const int dims[3], const float *cx, const float *cy,
                            const float *cz);
/* The same with the grid split in slabs along x over comm (collective): this rank holds planes
 * [x0, x0 + nxl) of the dims[0] (nxl may be 0; the ranks' planes tile the grid in rank order,
 * as fc_decomp_slab's); cx, cy, cz are the whole grid's coordinates. x and y of forward are then
 * this rank's slabs [B][nxl][Y][Z][3]. The axis sequences (pooled means, q, k, the kernels) are
 * small and held whole on every rank; the x contraction gathers V's planes; InstanceNorm's
 * statistics are reduced over comm. Forward only (inference: rollouts); backward refuses. */
fc_err fc_ifactformer_setup_slab(fc_ifactformer *m, MPI_Comm comm, int B, const int dims[3], int x0, int nxl,
                                 const float *cx, const float *cy, const float *cz);
fc_err fc_ifactformer_forward(fc_ifactformer *m, float *y, const float *x);
/* Gradients of the parameters ACCUMULATE into fc_ifactformer_params(m)->grad (pe.B's stay
 * zero); dx (may be NULL) accumulates too. Uses the activations of the last forward. */
fc_err fc_ifactformer_backward(fc_ifactformer *m, float *dx, const float *dy);

#endif
