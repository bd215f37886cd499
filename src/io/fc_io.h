/* HDF5 field files (schema: docs/file-format.md) and their XDMF sidecars.
 *
 * Writing (collective over the decomposition's communicator):
 *   fc_field_writer_create(comm, "out.h5", grid, precision, &w);   writes out.h5.partial
 *   fc_field_writer_provenance(w, case_path, case_text, argc, argv);
 *   fc_field_writer_parameter(w, "nu", 1e-3);
 *   fc_field_writer_step(w, step, time, fields, nfields);            once per snapshot
 *   fc_field_writer_series(w, "kinetic_energy", n, values);          1-D time series
 *   fc_field_writer_close(&w);   renames out.h5.partial -> out.h5, writes out.xmf
 * On any failure call fc_field_writer_discard(&w): the partial file is removed and
 * an existing out.h5 is left untouched.
 *
 * Reading (collective): fc_field_reader_open validates the file (exists, regular,
 * HDF5, not truncated, a flowcast field file), fc_field_reader_grid builds the grid,
 * fc_field_reader_read fills a field's slab with any rank count: the values do not
 * depend on how many ranks wrote or read the file.
 *
 * Fields written by other codes: fc_external_read reads one dataset of any HDF5
 * file, with a declared axis order (e.g. "z,y,x,c" for a Johns Hopkins cutout) and
 * precision, converting to flowcast's layout and to double on read.
 */
#ifndef FC_IO_H
#define FC_IO_H

#include <hdf5.h>
#include <stdio.h>

#include "fc_grid.h"

#define FC_SCHEMA_NAME "flowcast.field"
#define FC_SCHEMA_VERSION 1

typedef enum { FC_PRECISION_AUTO = 0, FC_PRECISION_FLOAT32 = 4, FC_PRECISION_FLOAT64 = 8 } fc_precision;

/* "auto" | "float32" | "float64" (also "single" / "double"). */
fc_err fc_precision_parse(const char *text, fc_precision *p);

/* ---- writing --------------------------------------------------------------- */
/* Where a run's inputs came from, recorded in its outputs: the case file (path and text, "" when
 * there is none) and the command line. */
typedef struct {
  const char *case_path, *case_text;
  int argc;
  char **argv;
} fc_provenance;

typedef struct fc_field_writer fc_field_writer;

fc_err fc_field_writer_create(MPI_Comm comm, const char *path, const fc_grid *g, fc_precision precision,
                              fc_field_writer **w);
fc_err fc_field_writer_provenance(fc_field_writer *w, const char *case_path, const char *case_text, int argc,
                                  char **argv);
fc_err fc_field_writer_parameter(fc_field_writer *w, const char *name, double value);
/* Fields must be finite (checked, collective error otherwise). */
fc_err fc_field_writer_step(fc_field_writer *w, long step, double time, fc_field *const *fields, int nfields);
/* A string attribute name = value on group (e.g. "/filter"), created when missing; value
 * identical on every rank. */
fc_err fc_field_writer_string(fc_field_writer *w, const char *group, const char *name, const char *value);
/* values[n] given on every rank (identical); written by rank 0. */
fc_err fc_field_writer_series(fc_field_writer *w, const char *name, long n, const double *values);
fc_err fc_field_writer_close(fc_field_writer **w);
fc_err fc_field_writer_discard(fc_field_writer **w);

/* ---- reading ----------------------------------------------------------------- */
typedef struct fc_field_reader fc_field_reader;

typedef struct {
  long step;
  double time;
  char group[32]; /* "/steps/00000120" */
} fc_step_info;

fc_err fc_field_reader_open(MPI_Comm comm, const char *path, fc_field_reader **r);
fc_err fc_field_reader_close(fc_field_reader **r);
/* The grid stored in the file (caller destroys it). */
fc_err fc_field_reader_grid(fc_field_reader *r, fc_grid **g);
fc_err fc_field_reader_steps(fc_field_reader *r, long *nsteps, const fc_step_info **steps);
/* Reads field f->name of step index istep (0-based, in file order) into f's slab;
 * the field's grid sizes and components must match the dataset. */
fc_err fc_field_reader_read(fc_field_reader *r, long istep, fc_field *f);
/* A physical parameter stored under /parameters (error if absent). */
fc_err fc_field_reader_parameter(fc_field_reader *r, const char *name, double *value);

/* ---- datasets written by other codes ------------------------------------------------ */
typedef struct {
  const char *file;    /* HDF5 file */
  const char *dataset; /* path inside it, e.g. "/u" or "/Velocity_0001" */
  const char *axes;    /* dataset axis order, comma-separated letters x,y,z (and c for a
                          component axis), slowest first: "z,y,x,c" for JHTDB cutouts */
  fc_precision precision; /* expected storage precision, or FC_PRECISION_AUTO */
} fc_external_spec;

/* Reads the dataset into f (whose grid gives the expected sizes and whose ncomp the
 * expected component count), checking rank, shape, type, emptiness and finiteness. */
fc_err fc_external_read(MPI_Comm comm, const fc_external_spec *spec, fc_field *f);

/* ---- XDMF and description ------------------------------------------------------------ */
/* Writes the XDMF sidecar of a field file (rank 0 of comm; atomic). xmf_path may be NULL:
 * the .h5 suffix replaced by .xmf. */
fc_err fc_xdmf_write(MPI_Comm comm, const char *h5_path, const char *xmf_path);
/* Describes any HDF5 file: a flowcast field file in terms of grid, steps and fields,
 * anything else (checkpoints, foreign data) as its tree of groups, datasets and
 * attributes. Rank 0 reads and prints; errors reach every rank. */
fc_err fc_h5_describe(MPI_Comm comm, const char *path, FILE *out);

/* ---- shared helpers (src/io/h5util.c) ------------------------------------------------ */
/* Collective pre-open checks with one clear message: missing, a directory, unreadable,
 * empty, not HDF5. */
fc_err fc_h5_check_path(MPI_Comm comm, const char *path);
/* Collective check of an output path before anything is computed: creates missing parent
 * directories (rank 0); errors when the path is a directory, a parent is a file, or the
 * directory is not writable. */
fc_err fc_output_prepare(MPI_Comm comm, const char *path);
/* HDF5's innermost error message of the last failed call on this thread. */
void fc_h5_last_error(char *buf, size_t len);
/* Sidecar name: "a/b.h5" -> "a/b.xmf". */
void fc_xdmf_path(const char *h5_path, char *buf, size_t len);

#endif
