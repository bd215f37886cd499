/* Linear layer (PyTorch's nn.Linear layout): y[M][out] = x[M][in] W[out][in]^T + b[out].
 * Both directions are OpenBLAS sgemm calls over all M rows (row-major); M is split into
 * chunks that fit BLAS's int dimensions. The bias gradient is summed in double. */
#include <cblas.h>

#include "fc_nn.h"

#define FC_GEMM_ROWS (1L << 30) /* rows per sgemm call: keeps M and M * ld within blasint */
#define FC_COLBLOCK 256          /* columns summed at once into a stack accumulator */

/* y[M][out] = x[M][in] W[out][in]^T (+ b[out]) */
void fc_linear_forward(float *y, const float *x, const float *W, const float *b, long M, int in, int out)
{
  if (M <= 0 || out <= 0) return;
  /* with a bias, y starts as b on every row and sgemm adds x W^T (beta = 1) */
  if (b)
    for (long m = 0; m < M; m++)
      for (int o = 0; o < out; o++) y[m * out + o] = b[o];
  if (in <= 0) {
    if (!b)
      for (long i = 0; i < M * out; i++) y[i] = 0.0f;
    return;
  }
  float beta = b ? 1.0f : 0.0f;
  for (long m0 = 0; m0 < M; m0 += FC_GEMM_ROWS) {
    long rows = M - m0 < FC_GEMM_ROWS ? M - m0 : FC_GEMM_ROWS;
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)rows, out, in, 1.0f, x + m0 * in, in, W, in, beta,
                y + m0 * out, out);
  }
}

/* dx[M][in] += dy[M][out] W[out][in];  dW[out][in] += dy^T x;  db[out] += sum over rows of dy.
 * Any of dx, dW, db may be NULL (not needed / frozen). */
void fc_linear_backward(float *dx, float *dW, float *db, const float *dy, const float *x, const float *W, long M,
                        int in, int out)
{
  if (M <= 0 || out <= 0) return;
  for (long m0 = 0; m0 < M; m0 += FC_GEMM_ROWS) {
    long rows = M - m0 < FC_GEMM_ROWS ? M - m0 : FC_GEMM_ROWS;
    if (in > 0 && dx)
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)rows, in, out, 1.0f, dy + m0 * out, out, W, in,
                  1.0f, dx + m0 * in, in);
    if (in > 0 && dW) /* sum over this chunk's rows: dy^T [out][rows] x [rows][in] */
      cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, out, in, (int)rows, 1.0f, dy + m0 * out, out,
                  x + m0 * in, in, 1.0f, dW, in);
  }
  if (db)
    for (int o0 = 0; o0 < out; o0 += FC_COLBLOCK) {
      int nb = out - o0 < FC_COLBLOCK ? out - o0 : FC_COLBLOCK;
      double acc[FC_COLBLOCK] = {0};
      for (long m = 0; m < M; m++) {
        const float *row = dy + m * out + o0;
        for (int o = 0; o < nb; o++) acc[o] += row[o];
      }
      for (int o = 0; o < nb; o++) db[o0 + o] += (float)acc[o];
    }
}
