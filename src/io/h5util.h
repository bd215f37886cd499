/* Internal HDF5 helpers of src/io (not installed API beyond what fc_io.h declares). */
#ifndef FC_H5UTIL_H
#define FC_H5UTIL_H

#include "fc_io.h"

#define FC_H5_MSG_LEN 512

/* Checks the path (fc_h5_check_path) then opens it read-only: with MPI-IO over comm
 * when parallel, else with the default (serial) driver on the calling rank. */
fc_err fc_h5_open_file(MPI_Comm comm, const char *path, int parallel, hid_t *file);

fc_err fc_h5_attr_write_string(hid_t loc, const char *name, const char *value);
fc_err fc_h5_attr_write_doubles(hid_t loc, const char *name, int n, const double *v);
fc_err fc_h5_attr_write_longs(hid_t loc, const char *name, int n, const long *v);
/* ctx names the file/object in error messages. */
fc_err fc_h5_attr_read_doubles(hid_t loc, const char *ctx, const char *name, int n, double *v);
fc_err fc_h5_attr_read_longs(hid_t loc, const char *ctx, const char *name, int n, long *v);
fc_err fc_h5_attr_read_string(hid_t loc, const char *ctx, const char *name, char *buf, size_t len);

/* Whether every link along path exists (no HDF5 error for a missing group). */
htri_t fc_h5_path_exists(hid_t loc, const char *path);

/* Axis order of a dataset: file axis k holds memory axis axes[k] (0 x, 1 y, 2 z, 3 component). */
typedef struct {
  int nd;
  int axes[4];
} fc_axis_order;

/* Parses "z,y,x,c" for a grid of ndim axes with ncomp components. */
fc_err fc_axis_order_parse(const char *text, int ndim, int ncomp, fc_axis_order *o);
/* flowcast's own order: z,y,x,c (3D) or y,x,c (2D); no c axis for scalars. */
void fc_axis_order_native(int ndim, int ncomp, fc_axis_order *o);
/* "z,y,x,c" */
void fc_axis_order_text(const fc_axis_order *o, char *buf, size_t len);

/* Collective read of f's x-slab from dataset dset of an MPI-IO file, checking that the
 * dataset exists, is a non-empty floating-point array of the expected rank and shape
 * (and precision unless AUTO), and that the values read are finite. ctx names the file. */
fc_err fc_h5_read_slab(hid_t file, const char *ctx, const char *dset, const fc_axis_order *o,
                       fc_precision expect, fc_field *f);
/* Collective write of f's x-slab into a new dataset (created here) in flowcast order. */
fc_err fc_h5_write_slab(hid_t loc, const char *name, fc_precision prec, const fc_field *f);

#endif
