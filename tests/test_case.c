/* Tests of the case-file module (src/case): YAML through PETSc, the command line,
 * strict typed getters, unknown keys and every error message. */
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fc_case.h"
#include "fc_test.h"

static const fc_key keys[] = {
    {"grid_nx", FC_KEY_INT, "64", 2, 65536, NULL, "grid points along x"},
    {"grid_ny", FC_KEY_INT, "32", 2, 65536, NULL, "grid points along y"},
    {"les_sgs", FC_KEY_CHOICE, "none", 0, 0, "none,smagorinsky,dsm,wale", "subgrid-scale model"},
    {"les_cs", FC_KEY_REAL, "0.17", 0, 1, NULL, "Smagorinsky constant"},
    {"time_shift", FC_KEY_REAL, "0", -INFINITY, INFINITY, NULL, "time origin (s)"},
    {"offset", FC_KEY_INT, "0", 0, 0, NULL, "index offset (no range)"},
    {"output_verbose", FC_KEY_BOOL, "false", 0, 0, NULL, "print more"},
    {"output_prefix", FC_KEY_STRING, "run", 0, 0, NULL, "prefix of output files"},
    {"input_file", FC_KEY_STRING, "", 0, 0, NULL, "input field file (required)"},
    {"domain_length", FC_KEY_REAL, "1,1,1", 0, 1e6, NULL, "box size Lx,Ly,Lz (m)"},
};
static const int nkeys = (int)(sizeof keys / sizeof keys[0]);

/* ----- helpers -------------------------------------------------------------------- */

/* Rank 0 writes n bytes of data to tmpdir/name; every rank gets the path. */
static void write_file(const char *name, const char *data, size_t n, char *path, size_t len)
{
  snprintf(path, len, "%s/%s", fc_test_tmpdir(), name);
  if (fc_test_rank() == 0) {
    FILE *f = fopen(path, "wb");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_EQUAL(fwrite(data, 1, n, f), n);
    fclose(f);
  }
  MPI_Barrier(MPI_COMM_WORLD);
}

static void write_text(const char *name, const char *text, char *path, size_t len)
{
  write_file(name, text, strlen(text), path, len);
}

static fc_case *new_case(void)
{
  fc_case *c = NULL;
  CU_ASSERT_EQUAL_FATAL(FC_ERR_KIND(fc_case_create(MPI_COMM_WORLD, &c)), FC_SUCCESS);
  CU_ASSERT_EQUAL_FATAL(FC_ERR_KIND(fc_case_add_keys(c, "test", keys, nkeys)), FC_SUCCESS);
  return c;
}

/* stderr capture: error messages are checked on rank 0, where they are printed. */
typedef struct {
  int saved;
  char path[512];
  char text[8192];
} capture;

static void capture_begin(capture *cap)
{
  snprintf(cap->path, sizeof cap->path, "%s/case_stderr_%d.txt", fc_test_tmpdir(), fc_test_rank());
  fflush(stderr);
  cap->saved = dup(2);
  int fd = open(cap->path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  dup2(fd, 2);
  close(fd);
}

static void capture_end(capture *cap)
{
  fflush(stderr);
  dup2(cap->saved, 2);
  close(cap->saved);
  cap->text[0] = '\0';
  FILE *f = fopen(cap->path, "r");
  if (f) {
    size_t n = fread(cap->text, 1, sizeof cap->text - 1, f);
    cap->text[n] = '\0';
    fclose(f);
  }
}

/* Runs expr with stderr captured; checks the error kind on every rank, that input
 * errors are collective, and that rank 0 printed a message containing want. */
#define EXPECT_ERROR(expr, kind, want)                                                       \
  do {                                                                                       \
    capture cap_;                                                                            \
    capture_begin(&cap_);                                                                    \
    fc_err e_ = (expr);                                                                      \
    capture_end(&cap_);                                                                      \
    CU_ASSERT_EQUAL(FC_ERR_KIND(e_), (kind));                                                \
    if ((kind) == FC_ERR_INPUT || (kind) == FC_ERR_USAGE) CU_ASSERT(e_ & FC_ERR_COLLECTIVE); \
    if (fc_test_rank() == 0) {                                                               \
      if (!strstr(cap_.text, (want)))                                                        \
        fprintf(stderr, "expected message containing \"%s\", got:\n%s\n", (want), cap_.text); \
      CU_ASSERT_PTR_NOT_NULL(strstr(cap_.text, (want)));                                     \
    }                                                                                        \
  } while (0)

static fc_case *case_from_text(const char *name, const char *text, char *path, size_t len)
{
  write_text(name, text, path, len);
  fc_case *c = new_case();
  FC_TEST_OK(fc_case_set_from_file(c, path));
  return c;
}

/* ----- reading values ------------------------------------------------------------- */

static void test_nested_yaml(void)
{
  char path[1024];
  const char *text = "# a case\nles:\n  sgs: wale\n  cs: 0.2\ngrid:\n  nx: 128\n";
  fc_case *c = case_from_text("case_nested.yaml", text, path, sizeof path);
  char s[64];
  long nx = 0, ny = 0;
  double cs = 0;
  FC_TEST_OK(fc_case_get_string(c, "les_sgs", s, sizeof s));
  CU_ASSERT_STRING_EQUAL(s, "wale");
  FC_TEST_OK(fc_case_get_real(c, "les_cs", &cs));
  CU_ASSERT_DOUBLE_EQUAL(cs, 0.2, 1e-15);
  FC_TEST_OK(fc_case_get_int(c, "grid_nx", &nx));
  CU_ASSERT_EQUAL(nx, 128);
  FC_TEST_OK(fc_case_get_int(c, "grid_ny", &ny)); /* default */
  CU_ASSERT_EQUAL(ny, 32);
  FC_TEST_OK(fc_case_check_unknown(c));
  CU_ASSERT_STRING_EQUAL(fc_case_file_path(c), path);
  CU_ASSERT_STRING_EQUAL(fc_case_file_text(c), text); /* provenance, on every rank */
  FC_TEST_OK(fc_case_destroy(&c));
  CU_ASSERT_PTR_NULL(c);
}

static void test_no_file(void)
{
  fc_case *c = new_case();
  long nx = 0;
  FC_TEST_OK(fc_case_get_int(c, "grid_nx", &nx));
  CU_ASSERT_EQUAL(nx, 64);
  CU_ASSERT_STRING_EQUAL(fc_case_file_path(c), "");
  CU_ASSERT_STRING_EQUAL(fc_case_file_text(c), "");
  FC_TEST_OK(fc_case_check_unknown(c));
  FC_TEST_OK(fc_case_destroy(&c));
}

static void test_cmdline_overrides_file(void)
{
  char path[1024];
  write_text("case_override.yaml", "grid:\n  nx: 128\n  ny: 16\nles:\n  sgs: wale\n  cs: 0.1\n", path, sizeof path);
  char *argv[] = {"-grid_nx", "256", "--les_sgs", "dsm", "-output_verbose", "-les_cs=0.3"};
  int argc = (int)(sizeof argv / sizeof argv[0]);
  /* file then command line, and command line then file: the command line wins */
  for (int order = 0; order < 2; order++) {
    fc_case *c = new_case();
    if (order == 0) {
      FC_TEST_OK(fc_case_set_from_file(c, path));
      FC_TEST_OK(fc_case_set_from_args(c, argc, argv));
    } else {
      FC_TEST_OK(fc_case_set_from_args(c, argc, argv));
      FC_TEST_OK(fc_case_set_from_file(c, path));
    }
    long nx = 0, ny = 0;
    int verbose = 0;
    double cs = 0;
    char s[32];
    FC_TEST_OK(fc_case_get_int(c, "grid_nx", &nx));
    CU_ASSERT_EQUAL(nx, 256);
    FC_TEST_OK(fc_case_get_int(c, "grid_ny", &ny));
    CU_ASSERT_EQUAL(ny, 16);
    FC_TEST_OK(fc_case_get_string(c, "les_sgs", s, sizeof s));
    CU_ASSERT_STRING_EQUAL(s, "dsm");
    FC_TEST_OK(fc_case_get_bool(c, "output_verbose", &verbose));
    CU_ASSERT_EQUAL(verbose, 1);
    FC_TEST_OK(fc_case_get_real(c, "les_cs", &cs));
    CU_ASSERT_DOUBLE_EQUAL(cs, 0.3, 1e-15);
    FC_TEST_OK(fc_case_check_unknown(c));
    FC_TEST_OK(fc_case_destroy(&c));
  }
}

static void test_negative_values(void)
{
  fc_case *c = new_case();
  char *argv[] = {"-time_shift", "-2e3", "-offset", "-7", "-output_verbose", "-domain_length", "-1.5,2,3"};
  /* -1.5,2,3 is a value (a list starting with a negative number), not an option */
  FC_TEST_OK(fc_case_set_from_args(c, 7, argv));
  double t = 0;
  long off = 0;
  int v = 0;
  FC_TEST_OK(fc_case_get_real(c, "time_shift", &t));
  CU_ASSERT_DOUBLE_EQUAL(t, -2000.0, 0);
  FC_TEST_OK(fc_case_get_int(c, "offset", &off));
  CU_ASSERT_EQUAL(off, -7);
  FC_TEST_OK(fc_case_get_bool(c, "output_verbose", &v)); /* bare flag before another option */
  CU_ASSERT_EQUAL(v, 1);
  double L[3];
  /* -1.5 is below the range [0, 1e6] of domain_length */
  EXPECT_ERROR(fc_case_get_reals(c, "domain_length", 3, L), FC_ERR_INPUT,
               "command line: key 'domain_length' = '-1.5,2,3' has a value out of range: '-1.5'");
  FC_TEST_OK(fc_case_destroy(&c));

  c = new_case();
  char *argv2[] = {"-time_shift", "-.5"};
  FC_TEST_OK(fc_case_set_from_args(c, 2, argv2));
  FC_TEST_OK(fc_case_get_real(c, "time_shift", &t));
  CU_ASSERT_DOUBLE_EQUAL(t, -0.5, 0);
  FC_TEST_OK(fc_case_destroy(&c));
}

static void test_typed_values(void)
{
  char path[1024];
  fc_case *c = case_from_text("case_typed.yaml",
                              "grid_nx: +2\ngrid_ny: 65536\nles_cs: 1e-1\noutput_verbose: YES\n"
                              "output_prefix: \"runs/a b\"\nles_sgs: WALE\ndomain_length: [1, 2.5, 3e2]\n"
                              "offset: -12\ninput_file: in.h5\ntime_shift: -1e300\n",
                              path, sizeof path);
  long nx = 0, ny = 0, off = 0;
  double cs = 0, t = 0, L[3] = {0, 0, 0};
  int v = 0;
  char s[64];
  FC_TEST_OK(fc_case_get_int(c, "grid_nx", &nx));
  CU_ASSERT_EQUAL(nx, 2);
  FC_TEST_OK(fc_case_get_int(c, "grid_ny", &ny));
  CU_ASSERT_EQUAL(ny, 65536);
  FC_TEST_OK(fc_case_get_int(c, "offset", &off));
  CU_ASSERT_EQUAL(off, -12);
  FC_TEST_OK(fc_case_get_real(c, "les_cs", &cs));
  CU_ASSERT_DOUBLE_EQUAL(cs, 0.1, 1e-15);
  FC_TEST_OK(fc_case_get_real(c, "time_shift", &t));
  CU_ASSERT_DOUBLE_EQUAL(t, -1e300, 1e285);
  FC_TEST_OK(fc_case_get_bool(c, "output_verbose", &v));
  CU_ASSERT_EQUAL(v, 1);
  FC_TEST_OK(fc_case_get_string(c, "output_prefix", s, sizeof s));
  CU_ASSERT_STRING_EQUAL(s, "runs/a b");
  FC_TEST_OK(fc_case_get_string(c, "les_sgs", s, sizeof s)); /* the declared spelling */
  CU_ASSERT_STRING_EQUAL(s, "wale");
  FC_TEST_OK(fc_case_get_string(c, "input_file", s, sizeof s));
  CU_ASSERT_STRING_EQUAL(s, "in.h5");
  FC_TEST_OK(fc_case_get_reals(c, "domain_length", 3, L)); /* a YAML list arrives as "1,2.5,3e2" */
  CU_ASSERT_DOUBLE_EQUAL(L[0], 1, 0);
  CU_ASSERT_DOUBLE_EQUAL(L[1], 2.5, 0);
  CU_ASSERT_DOUBLE_EQUAL(L[2], 300, 0);
  FC_TEST_OK(fc_case_check_unknown(c));
  FC_TEST_OK(fc_case_destroy(&c));

  /* every spelling of a boolean */
  static const char *const yes[] = {"true", "True", "yes", "on", "ON", "1"};
  static const char *const no[] = {"false", "FALSE", "no", "off", "Off", "0"};
  for (int i = 0; i < 12; i++) {
    c = new_case();
    char *argv[] = {"-output_verbose", (char *)(i < 6 ? yes[i] : no[i - 6])};
    FC_TEST_OK(fc_case_set_from_args(c, 2, argv));
    FC_TEST_OK(fc_case_get_bool(c, "output_verbose", &v));
    CU_ASSERT_EQUAL(v, i < 6);
    FC_TEST_OK(fc_case_destroy(&c));
  }

  /* defaults, and lists on the command line */
  c = new_case();
  char *argv[] = {"-domain_length", "[4, 5,6]"};
  FC_TEST_OK(fc_case_get_reals(c, "domain_length", 3, L));
  CU_ASSERT_DOUBLE_EQUAL(L[0] + L[1] + L[2], 3, 0);
  FC_TEST_OK(fc_case_set_from_args(c, 2, argv));
  FC_TEST_OK(fc_case_get_reals(c, "domain_length", 3, L));
  CU_ASSERT_DOUBLE_EQUAL(L[0], 4, 0);
  CU_ASSERT_DOUBLE_EQUAL(L[2], 6, 0);
  FC_TEST_OK(fc_case_get_string(c, "output_prefix", s, sizeof s));
  CU_ASSERT_STRING_EQUAL(s, "run");
  FC_TEST_OK(fc_case_get_bool(c, "output_verbose", &v));
  CU_ASSERT_EQUAL(v, 0);
  FC_TEST_OK(fc_case_destroy(&c));
}

/* ----- bad values ------------------------------------------------------------------ */

static void test_bad_int(void)
{
  char path[1024], want[1400];
  fc_case *c = case_from_text("case_badint.yaml", "grid:\n  nx: abc\n  ny: 12abc\noffset: 99999999999999999999999\n",
                              path, sizeof path);
  long v = 0;
  snprintf(want, sizeof want,
           "case file %s: key 'grid_nx' = 'abc' is not an integer (expected an integer in [2, 65536])", path);
  EXPECT_ERROR(fc_case_get_int(c, "grid_nx", &v), FC_ERR_INPUT, want);
  EXPECT_ERROR(fc_case_get_int(c, "grid_ny", &v), FC_ERR_INPUT, "key 'grid_ny' = '12abc' is not an integer");
  EXPECT_ERROR(fc_case_get_int(c, "offset", &v), FC_ERR_INPUT,
               "key 'offset' = '99999999999999999999999' is out of range (expected an integer)");
  CU_ASSERT_EQUAL(v, 0); /* untouched on error */
  FC_TEST_OK(fc_case_destroy(&c));

  c = new_case();
  char *argv[] = {"-grid_nx", "-4", "-grid_ny", "1.5"};
  FC_TEST_OK(fc_case_set_from_args(c, 4, argv));
  EXPECT_ERROR(fc_case_get_int(c, "grid_nx", &v), FC_ERR_INPUT,
               "command line: key 'grid_nx' = '-4' is out of range (expected an integer in [2, 65536])");
  EXPECT_ERROR(fc_case_get_int(c, "grid_ny", &v), FC_ERR_INPUT,
               "command line: key 'grid_ny' = '1.5' is not an integer");
  FC_TEST_OK(fc_case_destroy(&c));
}

static void test_bad_real_bool(void)
{
  char path[1024], want[1400];
  fc_case *c = case_from_text("case_badreal.yaml",
                              "les_cs: 2\ntime_shift: nan\noutput_verbose: maybe\ngrid_nx:\n", path, sizeof path);
  double d = 0;
  int b = 0;
  long n = 0;
  snprintf(want, sizeof want,
           "case file %s: key 'les_cs' = '2' is out of range (expected a real number in [0, 1])", path);
  EXPECT_ERROR(fc_case_get_real(c, "les_cs", &d), FC_ERR_INPUT, want);
  EXPECT_ERROR(fc_case_get_real(c, "time_shift", &d), FC_ERR_INPUT,
               "key 'time_shift' = 'nan' is not a finite real number (expected a real number)");
  EXPECT_ERROR(fc_case_get_bool(c, "output_verbose", &b), FC_ERR_INPUT,
               "key 'output_verbose' = 'maybe' is not a boolean (expected true/false, yes/no, on/off or 1/0)");
  EXPECT_ERROR(fc_case_get_int(c, "grid_nx", &n), FC_ERR_INPUT, "key 'grid_nx' has no value");
  FC_TEST_OK(fc_case_destroy(&c));

  c = new_case();
  char *argv[] = {"-les_cs", "0x1p-2", "-time_shift", "1e999"};
  FC_TEST_OK(fc_case_set_from_args(c, 4, argv));
  EXPECT_ERROR(fc_case_get_real(c, "les_cs", &d), FC_ERR_INPUT, "command line: key 'les_cs' = '0x1p-2' is not a real");
  EXPECT_ERROR(fc_case_get_real(c, "time_shift", &d), FC_ERR_INPUT, "'1e999' is not a finite real number");
  FC_TEST_OK(fc_case_destroy(&c));
}

static void test_bad_choice(void)
{
  char path[1024], want[1400];
  fc_case *c = case_from_text("case_badchoice.yaml", "les:\n  sgs: walle\n", path, sizeof path);
  char s[32];
  snprintf(want, sizeof want, "case file %s: key 'les_sgs' = 'walle' is not one of none, smagorinsky, dsm, wale", path);
  EXPECT_ERROR(fc_case_get_string(c, "les_sgs", s, sizeof s), FC_ERR_INPUT, want);
  EXPECT_ERROR(fc_case_get_string(c, "les_sgs", s, sizeof s), FC_ERR_INPUT, "(did you mean 'wale'?)");
  FC_TEST_OK(fc_case_destroy(&c));
}

static void test_lists(void)
{
  char path[1024];
  fc_case *c = case_from_text("case_lists.yaml", "domain_length: [1, 2]\n", path, sizeof path);
  double L[3];
  EXPECT_ERROR(fc_case_get_reals(c, "domain_length", 3, L), FC_ERR_INPUT,
               "key 'domain_length' = '1,2' has 2 values (expected 3 real numbers separated by commas, each in [0, 1000000])");
  FC_TEST_OK(fc_case_destroy(&c));
  c = case_from_text("case_lists2.yaml", "domain_length:\n  - 1\n  - x\n  - 3\n", path, sizeof path);
  EXPECT_ERROR(fc_case_get_reals(c, "domain_length", 3, L), FC_ERR_INPUT,
               "key 'domain_length' = '1,x,3' has a value that is not a real number: 'x'");
  FC_TEST_OK(fc_case_destroy(&c));
}

static void test_required_key(void)
{
  char path[1024], want[1400];
  fc_case *c = case_from_text("case_required.yaml", "grid_nx: 8\n", path, sizeof path);
  char s[64];
  snprintf(want, sizeof want, "case file %s: required key 'input_file' is missing", path);
  EXPECT_ERROR(fc_case_get_string(c, "input_file", s, sizeof s), FC_ERR_INPUT, want);
  FC_TEST_OK(fc_case_destroy(&c));

  c = new_case(); /* no case file */
  EXPECT_ERROR(fc_case_get_string(c, "input_file", s, sizeof s), FC_ERR_INPUT, "required key 'input_file' is missing");
  char *argv[] = {"-input_file", "a_rather_long_file_name.h5"};
  FC_TEST_OK(fc_case_set_from_args(c, 2, argv));
  EXPECT_ERROR(fc_case_get_string(c, "input_file", s, 8), FC_ERR_INPUT,
               "command line: the value of key 'input_file' is too long");
  FC_TEST_OK(fc_case_get_string(c, "input_file", s, sizeof s));
  CU_ASSERT_STRING_EQUAL(s, "a_rather_long_file_name.h5");
  FC_TEST_OK(fc_case_destroy(&c));
}

static void test_programming_errors(void)
{
  fc_case *c = new_case();
  long n;
  double d;
  EXPECT_ERROR(fc_case_get_int(c, "not_declared", &n), FC_ERR_INTERNAL, "key 'not_declared' was read but never declared");
  EXPECT_ERROR(fc_case_get_int(c, "les_cs", &n), FC_ERR_INTERNAL, "does not fit its type"); /* wrong type */
  EXPECT_ERROR(fc_case_get_real(c, "grid_nx", &d), FC_ERR_INTERNAL, "does not fit its type");
  EXPECT_ERROR(fc_case_add_keys(c, "again", keys, 1), FC_ERR_INTERNAL, "key 'grid_nx' is declared twice");
  static const fc_key bad[] = {{"bad_default", FC_KEY_INT, "abc", 0, 10, NULL, "a broken table"}};
  FC_TEST_OK(fc_case_add_keys(c, "bad", bad, 1));
  EXPECT_ERROR(fc_case_get_int(c, "bad_default", &n), FC_ERR_INTERNAL,
               "the declared default of key 'bad_default' = 'abc' is not an integer");
  FC_TEST_OK(fc_case_destroy(&c));
  FC_TEST_OK(fc_case_destroy(&c)); /* NULL is fine */
}

/* ----- unknown keys ------------------------------------------------------------------ */

static void test_unknown_keys(void)
{
  char path[1024], want[1400];
  fc_case *c = case_from_text("case_unknown.yaml", "les:\n  sgss: wale\ngrid:\n  nx: 16\n", path, sizeof path);
  long n;
  FC_TEST_OK(fc_case_get_int(c, "grid_nx", &n));
  snprintf(want, sizeof want, "case file %s: unknown key 'les_sgss' (did you mean 'les_sgs'?)", path);
  EXPECT_ERROR(fc_case_check_unknown(c), FC_ERR_INPUT, want);
  FC_TEST_OK(fc_case_destroy(&c));

  /* on the command line; a far-off name gets the nearest key but no "did you mean"; several are counted */
  c = new_case();
  char *argv[] = {"-grid_nz", "5", "-zzzzzzzzzz", "-qqq", "1"};
  FC_TEST_OK(fc_case_set_from_args(c, 5, argv));
  EXPECT_ERROR(fc_case_check_unknown(c), FC_ERR_INPUT,
               "command line: unknown key 'grid_nz' (did you mean 'grid_nx'?); 2 more unknown keys:");
  FC_TEST_OK(fc_case_destroy(&c));

  c = new_case();
  char *argv2[] = {"-zzzzzzzzzz"};
  FC_TEST_OK(fc_case_set_from_args(c, 1, argv2));
  EXPECT_ERROR(fc_case_check_unknown(c), FC_ERR_INPUT,
               "command line: unknown key 'zzzzzzzzzz' (the nearest valid key is '");
  FC_TEST_OK(fc_case_destroy(&c));

  /* declared keys that nobody read are not unknown */
  c = case_from_text("case_unread.yaml", "grid_ny: 8\noutput_prefix: x\n", path, sizeof path);
  FC_TEST_OK(fc_case_check_unknown(c));
  FC_TEST_OK(fc_case_destroy(&c));
}

static void test_petsc_options(void)
{
  char path[1024];
  fc_case *c = new_case();
  char *argv[] = {"-log_view", "-malloc_debug", "-options_left", "no", "-info", ":sys", "-log_view_memory",
                  "-on_error_abort", "-fp_trap", "-help", "-version", "-grid_nx", "8"};
  FC_TEST_OK(fc_case_set_from_args(c, (int)(sizeof argv / sizeof argv[0]), argv));
  long n;
  FC_TEST_OK(fc_case_get_int(c, "grid_nx", &n));
  CU_ASSERT_EQUAL(n, 8);
  FC_TEST_OK(fc_case_check_unknown(c));
  FC_TEST_OK(fc_case_destroy(&c));

  /* in the case file they would have no effect: an error that says so */
  c = case_from_text("case_petscopt.yaml", "log_view: true\n", path, sizeof path);
  EXPECT_ERROR(fc_case_check_unknown(c), FC_ERR_INPUT,
               "key 'log_view' is a PETSc run-time option: give it on the command line (-log_view)");
  FC_TEST_OK(fc_case_destroy(&c));
}

/* ----- the command line --------------------------------------------------------------- */

static void test_bad_arguments(void)
{
  fc_case *c = new_case();
  char *a1[] = {"case.yaml"};
  EXPECT_ERROR(fc_case_set_from_args(c, 1, a1), FC_ERR_USAGE, "unexpected argument 'case.yaml'");
  char *a2[] = {"-grid_nx", "5", "extra"};
  EXPECT_ERROR(fc_case_set_from_args(c, 3, a2), FC_ERR_USAGE, "unexpected argument 'extra'");
  char *a3[] = {"-5"};
  EXPECT_ERROR(fc_case_set_from_args(c, 1, a3), FC_ERR_USAGE, "unexpected argument '-5'");
  char *a4[] = {"-"};
  EXPECT_ERROR(fc_case_set_from_args(c, 1, a4), FC_ERR_USAGE, "unexpected argument '-'");
  char *a5[] = {"-grid.nx", "5"};
  EXPECT_ERROR(fc_case_set_from_args(c, 2, a5), FC_ERR_USAGE, "bad option '-grid.nx'");
  FC_TEST_OK(fc_case_set_from_args(c, 0, NULL));
  FC_TEST_OK(fc_case_destroy(&c));
}

/* ----- case-file errors ------------------------------------------------------------------ */

static void test_file_errors(void)
{
  char path[1024], want[1400];
  fc_case *c = new_case();

  snprintf(path, sizeof path, "%s/case_does_not_exist.yaml", fc_test_tmpdir());
  snprintf(want, sizeof want, "case file %s does not exist", path);
  EXPECT_ERROR(fc_case_set_from_file(c, path), FC_ERR_INPUT, want);

  snprintf(want, sizeof want, "case file %s is a directory", fc_test_tmpdir());
  EXPECT_ERROR(fc_case_set_from_file(c, fc_test_tmpdir()), FC_ERR_INPUT, want);

  write_file("case_binary.yaml", "a: 1\n\0\1\2\3", 9, path, sizeof path);
  snprintf(want, sizeof want, "case file %s is a binary file, not YAML text (NUL byte at line 2)", path);
  EXPECT_ERROR(fc_case_set_from_file(c, path), FC_ERR_INPUT, want);

  write_text("case_latin1.yaml", "a: caf\xe9\n", path, sizeof path);
  EXPECT_ERROR(fc_case_set_from_file(c, path), FC_ERR_INPUT, "is not UTF-8 text (byte 0xE9 at line 1): a binary file");

  {
    size_t big = 1024 * 1024 + 10;
    char *data = malloc(big);
    CU_ASSERT_PTR_NOT_NULL_FATAL(data);
    memset(data, '#', big);
    write_file("case_big.yaml", data, big, path, sizeof path);
    free(data);
    EXPECT_ERROR(fc_case_set_from_file(c, path), FC_ERR_INPUT, "is too large (1048586 bytes; a case file is at most 1 MiB)");
  }

  write_text("case_malformed.yaml", "a: [1, 2\nb: 3\n", path, sizeof path);
  snprintf(want, sizeof want, "case file %s: malformed YAML at line 2, column 2: did not find expected ','", path);
  EXPECT_ERROR(fc_case_set_from_file(c, path), FC_ERR_INPUT, want);

  write_text("case_tab.yaml", "les:\n\tsgs: wale\n", path, sizeof path);
  EXPECT_ERROR(fc_case_set_from_file(c, path), FC_ERR_INPUT, "at line 2, column 1: found character that cannot start any token while scanning for the next token (a tab: YAML indents with spaces)");

  write_text("case_toplist.yaml", "- grid_nx: 4\n- 2\n", path, sizeof path);
  snprintf(want, sizeof want, "case file %s: top level must be a mapping of keys", path);
  EXPECT_ERROR(fc_case_set_from_file(c, path), FC_ERR_INPUT, want);

  write_text("case_topscalar.yaml", "grid_nx 64\n", path, sizeof path);
  EXPECT_ERROR(fc_case_set_from_file(c, path), FC_ERR_INPUT, "top level must be a mapping of keys");

  write_text("case_nestedlist.yaml", "a:\n  - [1, 2]\n", path, sizeof path);
  EXPECT_ERROR(fc_case_set_from_file(c, path), FC_ERR_INPUT, "unsupported YAML structure");

  /* failures left the case untouched: nothing was read */
  CU_ASSERT_STRING_EQUAL(fc_case_file_path(c), "");
  FC_TEST_OK(fc_case_check_unknown(c));

  if (geteuid() != 0) { /* root reads anything */
    write_text("case_unreadable.yaml", "a: 1\n", path, sizeof path);
    if (fc_test_rank() == 0) chmod(path, 0);
    MPI_Barrier(MPI_COMM_WORLD);
    EXPECT_ERROR(fc_case_set_from_file(c, path), FC_ERR_INPUT, "is not readable");
  }
  FC_TEST_OK(fc_case_destroy(&c));

  /* an empty file and a file of comments are valid (and set nothing) */
  c = case_from_text("case_empty.yaml", "", path, sizeof path);
  FC_TEST_OK(fc_case_check_unknown(c));
  FC_TEST_OK(fc_case_destroy(&c));
  c = case_from_text("case_comments.yaml", "# nothing here\n---\n", path, sizeof path);
  FC_TEST_OK(fc_case_check_unknown(c));
  EXPECT_ERROR(fc_case_set_from_file(c, path), FC_ERR_INTERNAL, "was already read"); /* one case file per case */
  FC_TEST_OK(fc_case_destroy(&c));
}

/* ----- help and edit distance ------------------------------------------------------------- */

static void test_help(void)
{
  fc_case *c = new_case();
  char path[1024];
  snprintf(path, sizeof path, "%s/case_help.txt", fc_test_tmpdir());
  FILE *f = fc_test_rank() == 0 ? fopen(path, "w") : NULL;
  FC_TEST_OK(fc_case_print_help(c, f ? f : stdout));
  if (f) {
    fclose(f);
    char text[8192] = "";
    f = fopen(path, "r");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    size_t n = fread(text, 1, sizeof text - 1, f);
    text[n] = '\0';
    fclose(f);
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "-grid_nx <int>"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "(default: 64)"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "[2, 65536]"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "[none, smagorinsky, dsm, wale]"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "-input_file <string>"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "(required)"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "-domain_length <reals>"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "Smagorinsky constant"));
  }
  FC_TEST_OK(fc_case_destroy(&c));
}

static void test_edit_distance(void)
{
  CU_ASSERT_EQUAL(fc_edit_distance("kitten", "sitting"), 3);
  CU_ASSERT_EQUAL(fc_edit_distance("flaw", "lawn"), 2);
  CU_ASSERT_EQUAL(fc_edit_distance("", ""), 0);
  CU_ASSERT_EQUAL(fc_edit_distance("", "abc"), 3);
  CU_ASSERT_EQUAL(fc_edit_distance("abc", ""), 3);
  CU_ASSERT_EQUAL(fc_edit_distance("les_sgs", "les_sgs"), 0);
  CU_ASSERT_EQUAL(fc_edit_distance("les_sgss", "les_sgs"), 1);
  CU_ASSERT_EQUAL(fc_edit_distance("grid_nx", "grid_xn"), 2);
  char a[301], b[301];
  memset(a, 'a', 300);
  memset(b, 'a', 300);
  a[300] = b[300] = '\0';
  b[0] = b[299] = 'b';
  CU_ASSERT_EQUAL(fc_edit_distance(a, b), 2); /* longer than the stack rows */
}

void fc_test_register(void)
{
  static const fc_test_case tests[] = {
      {"nested YAML keys", test_nested_yaml},
      {"no case file", test_no_file},
      {"command line overrides the file", test_cmdline_overrides_file},
      {"negative numbers as values", test_negative_values},
      {"typed values", test_typed_values},
      {"bad integers", test_bad_int},
      {"bad reals and booleans", test_bad_real_bool},
      {"bad choice", test_bad_choice},
      {"lists of reals", test_lists},
      {"required key", test_required_key},
      {"programming errors", test_programming_errors},
      {"unknown keys", test_unknown_keys},
      {"PETSc options on the command line", test_petsc_options},
      {"bad arguments", test_bad_arguments},
      {"case-file errors", test_file_errors},
      {"help table", test_help},
      {"edit distance", test_edit_distance},
      {NULL, NULL},
  };
  fc_test_add_suite("case", tests);
}
