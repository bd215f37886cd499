# Neural-network layers of fc_nn.h (all but the spectral convolution): forward against
# direct evaluations, gradients against double-precision central differences.
fc_cunit_test(nn_layers RANKS 1)
