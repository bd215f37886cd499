# Finds flowcast's fixed dependencies and defines imported targets:
#   fc::hdf5  parallel HDF5 (a serial HDF5 is refused)
#   fc::petsc PETSc
#   fc::fftw  FFTW (double and single) with fftw3-mpi
#   fc::cblas OpenBLAS's CBLAS
#   fc::cunit CUnit (tests only)
include(CheckCSourceCompiles)

# --- parallel HDF5 ---------------------------------------------------------
pkg_search_module(FC_HDF5 QUIET IMPORTED_TARGET hdf5-openmpi hdf5-mpi)
if(FC_HDF5_FOUND)
  add_library(fc::hdf5 INTERFACE IMPORTED)
  target_link_libraries(fc::hdf5 INTERFACE PkgConfig::FC_HDF5)
  set(FC_HDF5_PC ${FC_HDF5_MODULE_NAME})
else()
  set(HDF5_PREFER_PARALLEL TRUE)
  find_package(HDF5 COMPONENTS C)
  if(NOT HDF5_FOUND)
    message(FATAL_ERROR "flowcast needs parallel HDF5 (Debian: apt-get install libhdf5-openmpi-dev)")
  endif()
  add_library(fc::hdf5 INTERFACE IMPORTED)
  target_include_directories(fc::hdf5 INTERFACE ${HDF5_C_INCLUDE_DIRS})
  target_link_libraries(fc::hdf5 INTERFACE ${HDF5_C_LIBRARIES})
  set(FC_HDF5_INCLUDE_DIRS ${HDF5_C_INCLUDE_DIRS})
endif()
set(CMAKE_REQUIRED_INCLUDES ${FC_HDF5_INCLUDE_DIRS} ${MPI_C_INCLUDE_DIRS})
check_c_source_compiles("
#include <hdf5.h>
#ifndef H5_HAVE_PARALLEL
#error serial
#endif
int main(void) { return 0; }" FC_HDF5_IS_PARALLEL)
unset(CMAKE_REQUIRED_INCLUDES)
if(NOT FC_HDF5_IS_PARALLEL)
  message(FATAL_ERROR "The HDF5 found (${FC_HDF5_INCLUDE_DIRS}) is a serial build: flowcast writes fields "
                      "with collective MPI-IO and needs parallel HDF5 (Debian: apt-get install libhdf5-openmpi-dev)")
endif()

# --- PETSc -----------------------------------------------------------------
pkg_search_module(FC_PETSC IMPORTED_TARGET PETSc petsc)
if(NOT FC_PETSC_FOUND)
  message(FATAL_ERROR "flowcast needs PETSc (Debian: apt-get install petsc-dev)")
endif()
# libyaml: PETSc's YAML loader (Debian's petsc-dev depends on libyaml-dev); flowcast
# uses it only to locate syntax errors in case files.
find_path(FC_YAML_INCLUDE yaml.h)
find_library(FC_YAML_LIB yaml)
if(NOT FC_YAML_INCLUDE OR NOT FC_YAML_LIB)
  message(FATAL_ERROR "flowcast needs libyaml, PETSc's YAML library (Debian: apt-get install libyaml-dev)")
endif()
add_library(fc::petsc INTERFACE IMPORTED)
target_link_libraries(fc::petsc INTERFACE PkgConfig::FC_PETSC ${FC_YAML_LIB})
target_include_directories(fc::petsc INTERFACE ${FC_YAML_INCLUDE})

# --- FFTW and fftw3-mpi (Debian ships no pkg-config file for the latter) -----
pkg_check_modules(FC_FFTW QUIET fftw3)
find_path(FC_FFTW_MPI_INCLUDE fftw3-mpi.h HINTS ${FC_FFTW_INCLUDE_DIRS})
find_library(FC_FFTW_LIB fftw3 HINTS ${FC_FFTW_LIBRARY_DIRS})
find_library(FC_FFTWF_LIB fftw3f HINTS ${FC_FFTW_LIBRARY_DIRS})
find_library(FC_FFTW_MPI_LIB fftw3_mpi HINTS ${FC_FFTW_LIBRARY_DIRS})
find_library(FC_FFTWF_MPI_LIB fftw3f_mpi HINTS ${FC_FFTW_LIBRARY_DIRS})
if(NOT FC_FFTW_MPI_INCLUDE OR NOT FC_FFTW_LIB OR NOT FC_FFTWF_LIB OR NOT FC_FFTW_MPI_LIB OR NOT FC_FFTWF_MPI_LIB)
  message(FATAL_ERROR "flowcast needs FFTW with fftw3-mpi, double and single precision "
                      "(Debian: apt-get install libfftw3-dev libfftw3-mpi-dev)")
endif()
add_library(fc::fftw INTERFACE IMPORTED)
target_include_directories(fc::fftw INTERFACE ${FC_FFTW_MPI_INCLUDE})
target_link_libraries(fc::fftw INTERFACE ${FC_FFTW_MPI_LIB} ${FC_FFTWF_MPI_LIB} ${FC_FFTW_LIB} ${FC_FFTWF_LIB})

# --- OpenBLAS (CBLAS interface) ----------------------------------------------
pkg_check_modules(FC_OPENBLAS QUIET openblas)
find_path(FC_CBLAS_INCLUDE cblas.h HINTS ${FC_OPENBLAS_INCLUDE_DIRS} PATH_SUFFIXES openblas)
find_library(FC_OPENBLAS_LIB openblas HINTS ${FC_OPENBLAS_LIBRARY_DIRS})
if(NOT FC_CBLAS_INCLUDE OR NOT FC_OPENBLAS_LIB)
  message(FATAL_ERROR "flowcast needs OpenBLAS with CBLAS (Debian: apt-get install libopenblas-dev)")
endif()
add_library(fc::cblas INTERFACE IMPORTED)
target_include_directories(fc::cblas INTERFACE ${FC_CBLAS_INCLUDE})
target_link_libraries(fc::cblas INTERFACE ${FC_OPENBLAS_LIB})

# --- CUnit (tests) -------------------------------------------------------------
if(FC_BUILD_TESTS)
  pkg_check_modules(FC_CUNIT QUIET IMPORTED_TARGET cunit)
  if(NOT FC_CUNIT_FOUND)
    message(FATAL_ERROR "The tests need CUnit (Debian: apt-get install libcunit1-dev), "
                        "or configure with -DFC_BUILD_TESTS=OFF")
  endif()
  add_library(fc::cunit INTERFACE IMPORTED)
  target_link_libraries(fc::cunit INTERFACE PkgConfig::FC_CUNIT)
endif()

# --- what the installed pkg-config file needs ------------------------------------
# public headers include mpi.h and hdf5.h; PETSc, FFTW and OpenBLAS are private
if(NOT FC_HDF5_PC)
  set(FC_HDF5_PC hdf5-openmpi)
endif()
set(FC_PC_REQUIRES "${FC_HDF5_PC} ompi-c")
set(FC_PC_LIBS_PRIVATE "${FC_PETSC_LDFLAGS} -lyaml -lfftw3_mpi -lfftw3f_mpi -lfftw3 -lfftw3f -lopenblas -lm")
string(REPLACE ";" " " FC_PC_LIBS_PRIVATE "${FC_PC_LIBS_PRIVATE}")
set(FC_PC_CFLAGS "-I${FC_CBLAS_INCLUDE} -I${FC_FFTW_MPI_INCLUDE}")
