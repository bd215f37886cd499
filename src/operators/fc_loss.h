/* Training losses. Sums are taken in double. Each returns the loss and, when dyh is
 * not NULL, ACCUMULATES dL/dyh into it (the caller zeroes it first, as for every layer). */
#ifndef FC_LOSS_H
#define FC_LOSS_H

/* MSE: L = (1/n) sum (yh - y)^2 over all n values. */
float fc_mse_loss(float *dyh, const float *yh, const float *y, long n);

/* Relative L2 per sample, averaged over the batch: yh, y [B][n];
 * L = (1/B) sum_b ||yh_b - y_b||_2 / ||y_b||_2. */
float fc_rel_l2_loss(float *dyh, const float *yh, const float *y, int B, long n);

/* Relative L1 per channel group (Poseidon/scOT): yh, y [B][N][C]; channel c belongs to group
 * group[c] in [0, ngroups); L = (1/(B ngroups)) sum_b sum_g (sum_{i, c in g} |yh - y|) /
 * (sum_{i, c in g} |y|). */
float fc_rel_l1_group_loss(float *dyh, const float *yh, const float *y, int B, long N, int C, const int *group,
                           int ngroups);

#endif
