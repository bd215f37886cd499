# IFactFormer's axis kernels and contractions (src/operators/axis_attention.c): against
# PyTorch (tests/data/ifact_axis_reference.h5 from tools/ifact_axis_reference.py) and
# double-precision central differences, the chained composition Kz(Ky(Kx V)) included.
fc_cunit_test(ifact_axis RANKS 1)
