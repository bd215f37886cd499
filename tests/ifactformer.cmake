# The IFactFormer model (src/models/fc_ifactformer.h), both variants, against PyTorch
# (tests/data/ifactformer_reference.h5 from tools/ifactformer_reference.py) and central
# differences of a few parameter gradients.
fc_cunit_test(ifactformer RANKS 1)
