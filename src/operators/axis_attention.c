/* The factorized-attention core of IFactFormer (docs: /work/shared/specs/ifactformer.md,
 * "FA block"): per-axis kernels K = Q K^T per head, and the contraction of the values along
 * one grid axis with such a kernel. Forward/backward pairs with fc_nn.h's conventions
 * (float32, channels last, backward accumulates).
 *
 * Layout of the contraction. V [B][X][Y][Z][H][Dv] is seen, for axis a, as
 * [B][P][Na][S][H][Dv] with P the extent of the axes before a and S the extent of those after
 * it (x: P = 1, S = Y Z; y: P = X, S = Z; z: P = X Y, S = 1). For one (b, p, h) the values
 * form an Na x (S Dv) matrix whose rows j are S H Dv apart and whose columns (s, d) are Dv
 * contiguous floats every H Dv: a BLAS matrix only when S = 1 (or H = 1). So:
 *  - S = 1 (axis z, or any axis with nothing after it): one sgemm per (b, p, h) on the
 *    strided view, ld = H Dv;
 *  - S > 1: the slice is gathered, a block of sb values of s at a time (Na x sb Dv floats,
 *    about FC_AXIS_BLOCK = 128 KiB, so it stays in cache), into a contiguous buffer (dout
 *    likewise), one sgemm with N = sb Dv runs on it, and the result is scattered back
 *    (added, for dV).
 * Cost: 2 Na Dv flops per value per call against two to four extra copies of each value:
 * the copies are O(1/Na) of the work. dKa[b][h] sums over p and (s, d): sgemm with beta = 1.
 * Measured on this 2-core machine, OpenBLAS 1 thread, published size 32 x 33 x 16, H 5, Dv 96,
 * B 1 (2 Na flops per value forward, twice that backward): forward x 23 ms, y 15 ms, z 6.5 ms
 * (23-40 GFLOP/s); backward x 60, y 59, z 21 ms (17-25 GFLOP/s; the dKa sgemm, Na x Na
 * output over a long inner dimension, is the slow part). */
#include <cblas.h>
#include <stdlib.h>

#include "fc_nn.h"

/* ---- axis kernel ---------------------------------------------------------------------- */

/* K[b][h][i][j] = sum_d q[b][i][h][d] k[b][j][h][d];  q, k [B][N][H][Dk] */
void fc_axis_kernel_forward(float *K, const float *q, const float *k, int B, int N, int H, int Dk)
{
  if (B <= 0 || N <= 0 || H <= 0) return;
  const long ld = (long)H * Dk, nn = (long)N * N;
  for (int b = 0; b < B; b++)
    for (int h = 0; h < H; h++) {
      float *Kbh = K + ((long)b * H + h) * nn;
      if (Dk <= 0) {
        for (long i = 0; i < nn; i++) Kbh[i] = 0.0f;
        continue;
      }
      const long off = (long)b * N * ld + (long)h * Dk;
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, N, N, Dk, 1.0f, q + off, (int)ld, k + off, (int)ld, 0.0f,
                  Kbh, N);
    }
}

/* dq[b][:][h][:] += dK[b][h] k[b][:][h][:];  dk[b][:][h][:] += dK[b][h]^T q[b][:][h][:] */
void fc_axis_kernel_backward(float *dq, float *dk, const float *dK, const float *q, const float *k, int B, int N, int H,
                             int Dk)
{
  if (B <= 0 || N <= 0 || H <= 0 || Dk <= 0) return;
  const long ld = (long)H * Dk, nn = (long)N * N;
  for (int b = 0; b < B; b++)
    for (int h = 0; h < H; h++) {
      const float *dKbh = dK + ((long)b * H + h) * nn;
      const long off = (long)b * N * ld + (long)h * Dk;
      if (dq)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, N, Dk, N, 1.0f, dKbh, N, k + off, (int)ld, 1.0f,
                    dq + off, (int)ld);
      if (dk)
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, N, Dk, N, 1.0f, dKbh, N, q + off, (int)ld, 1.0f,
                    dk + off, (int)ld);
    }
}

/* ---- contraction along one axis ----------------------------------------------------------- */

typedef struct {
  long P, Na, S; /* axes before, along, after */
  long row;      /* floats between consecutive axis indices: S H Dv */
  long hd;       /* H Dv */
  long sb;       /* s per gathered block */
} axis_view;

#define FC_AXIS_BLOCK (32L * 1024) /* floats per gather buffer (128 KiB): stays in L2 */

static int axis_view_make(axis_view *v, const int dims[3], int H, int Dv, int axis)
{
  if (axis < 0 || axis > 2 || H <= 0 || Dv <= 0) return 0;
  for (int a = 0; a < 3; a++)
    if (dims[a] <= 0) return 0;
  v->P = 1;
  v->S = 1;
  for (int a = 0; a < axis; a++) v->P *= dims[a];
  for (int a = axis + 1; a < 3; a++) v->S *= dims[a];
  v->Na = dims[axis];
  v->hd = (long)H * Dv;
  v->row = v->S * v->hd;
  /* s per gathered block: about FC_AXIS_BLOCK floats per buffer (cache-sized), at least 1 */
  v->sb = FC_AXIS_BLOCK / (v->Na * Dv);
  if (v->sb < 1) v->sb = 1;
  if (v->sb > v->S) v->sb = v->S;
  return 1;
}

/* buf[j][s][d] = x[j][s0 + s][h][d], s < sb, of one (b, p, h) slice starting at x (already
 * offset by h Dv) */
static void gather(float *buf, const float *x, const axis_view *v, int Dv, long s0, long sb)
{
  for (long j = 0; j < v->Na; j++)
    for (long s = 0; s < sb; s++) {
      const float *src = x + j * v->row + (s0 + s) * v->hd;
      float *dst = buf + (j * sb + s) * Dv;
      for (int d = 0; d < Dv; d++) dst[d] = src[d];
    }
}

/* x[j][s0 + s][h][d] (=, or += when add) buf[j][s][d] */
static void scatter(float *x, const float *buf, const axis_view *v, int Dv, long s0, long sb, int add)
{
  for (long j = 0; j < v->Na; j++)
    for (long s = 0; s < sb; s++) {
      float *dst = x + j * v->row + (s0 + s) * v->hd;
      const float *src = buf + (j * sb + s) * Dv;
      if (add)
        for (int d = 0; d < Dv; d++) dst[d] += src[d];
      else
        for (int d = 0; d < Dv; d++) dst[d] = src[d];
    }
}

/* out[b][..i..][h][:] = sum_j Ka[b][h][i][j] V[b][..j..][h][:]  along axis (0 x, 1 y, 2 z) */
void fc_axis_contract_forward(float *out, const float *V, const float *Ka, int B, const int dims[3], int H, int Dv,
                              int axis)
{
  axis_view v;
  if (B <= 0 || !axis_view_make(&v, dims, H, Dv, axis)) return;
  const int Na = (int)v.Na;
  const long nn = v.Na * v.Na, slab = v.Na * v.row, nbuf = v.Na * v.sb * Dv;
  float *bufV = NULL, *bufO = NULL;
  if (v.S > 1) {
    bufV = malloc((size_t)nbuf * sizeof(float));
    bufO = malloc((size_t)nbuf * sizeof(float));
    if (!bufV || !bufO) abort();
  }
  for (int b = 0; b < B; b++)
    for (long p = 0; p < v.P; p++)
      for (int h = 0; h < H; h++) {
        const float *Kbh = Ka + ((long)b * H + h) * nn;
        const long off = ((long)b * v.P + p) * slab + (long)h * Dv;
        if (v.S == 1) {
          cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Na, Dv, Na, 1.0f, Kbh, Na, V + off, (int)v.hd, 0.0f,
                      out + off, (int)v.hd);
        } else
          for (long s0 = 0; s0 < v.S; s0 += v.sb) {
            const long sb = v.S - s0 < v.sb ? v.S - s0 : v.sb;
            const int ncol = (int)(sb * Dv);
            gather(bufV, V + off, &v, Dv, s0, sb);
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Na, ncol, Na, 1.0f, Kbh, Na, bufV, ncol, 0.0f, bufO,
                        ncol);
            scatter(out + off, bufO, &v, Dv, s0, sb, 0);
          }
      }
  free(bufV);
  free(bufO);
}

/* dV[..j..] += sum_i Ka[i][j] dout[..i..];  dKa[b][h][i][j] += sum over the other axes and Dv of
 * dout[..i..] V[..j..]. dV or dKa may be NULL. */
void fc_axis_contract_backward(float *dV, float *dKa, const float *dout, const float *V, const float *Ka, int B,
                               const int dims[3], int H, int Dv, int axis)
{
  axis_view v;
  if (B <= 0 || !axis_view_make(&v, dims, H, Dv, axis)) return;
  if (!dV && !dKa) return;
  const int Na = (int)v.Na;
  const long nn = v.Na * v.Na, slab = v.Na * v.row, nbuf = v.Na * v.sb * Dv;
  float *bufD = NULL, *bufX = NULL;
  if (v.S > 1) {
    bufD = malloc((size_t)nbuf * sizeof(float)); /* dout block */
    bufX = malloc((size_t)nbuf * sizeof(float)); /* V block, then the dV block */
    if (!bufD || !bufX) abort();
  }
  for (int b = 0; b < B; b++)
    for (int h = 0; h < H; h++) {
      const float *Kbh = Ka + ((long)b * H + h) * nn;
      float *dKbh = dKa ? dKa + ((long)b * H + h) * nn : NULL;
      for (long p = 0; p < v.P; p++) {
        const long off = ((long)b * v.P + p) * slab + (long)h * Dv;
        if (v.S == 1) {
          if (dKbh)
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Na, Na, Dv, 1.0f, dout + off, (int)v.hd, V + off,
                        (int)v.hd, 1.0f, dKbh, Na);
          if (dV)
            cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Na, Dv, Na, 1.0f, Kbh, Na, dout + off, (int)v.hd,
                        1.0f, dV + off, (int)v.hd);
        } else
          for (long s0 = 0; s0 < v.S; s0 += v.sb) {
            const long sb = v.S - s0 < v.sb ? v.S - s0 : v.sb;
            const int ncol = (int)(sb * Dv);
            gather(bufD, dout + off, &v, Dv, s0, sb);
            if (dKbh) {
              gather(bufX, V + off, &v, Dv, s0, sb);
              cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Na, Na, ncol, 1.0f, bufD, ncol, bufX, ncol, 1.0f,
                          dKbh, Na);
            }
            if (dV) {
              cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Na, ncol, Na, 1.0f, Kbh, Na, bufD, ncol, 0.0f,
                          bufX, ncol);
              scatter(dV + off, bufX, &v, Dv, s0, sb, 1);
            }
          }
      }
    }
  free(bufD);
  free(bufX);
}
