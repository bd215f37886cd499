# Sourced by the scripts: the environment for running MPI jobs here.
# (cores counted before OMP_NUM_THREADS is set: GNU nproc honours it)
FC_CORES=$(getconf _NPROCESSORS_ONLN)
FC_JOBS=${FC_JOBS:-$FC_CORES}
FC_NP=${FC_NP:-$((FC_CORES < 2 ? FC_CORES : 2))}
if [[ $(id -u) -eq 0 ]]; then
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
export OMPI_MCA_rmaps_base_oversubscribe=${OMPI_MCA_rmaps_base_oversubscribe:-1}
export OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-1} OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
