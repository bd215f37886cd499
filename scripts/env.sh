# Sourced by the scripts: the environment for running MPI jobs here.
if [[ $(id -u) -eq 0 ]]; then
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
export OMPI_MCA_rmaps_base_oversubscribe=${OMPI_MCA_rmaps_base_oversubscribe:-1}
export OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-1} OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
FC_JOBS=${FC_JOBS:-$(nproc)}
FC_NP=${FC_NP:-$(( $(nproc) < 2 ? $(nproc) : 2 ))}
