#!/bin/sh
# Runs one flowcast command line and checks how it ended (tests/cli.cmake).
#
#   expect.sh {ok|fail} REGEX [--also REGEX]... [--status N] [--absent PATH]... [--keep PATH]... -- COMMAND...
#
# ok:    exit status 0 (or N), REGEX (grep -E) found in stdout, no error text in stderr.
# fail:  a non-zero exit (or exactly N) that is neither a timeout (124) nor a death by a
#        signal (>= 128); exactly one line starting with "flowcast: error" in stderr;
#        REGEX found in stderr; no "PETSC ERROR", "Segmentation", "MPI_ABORT" or
#        "AddressSanitizer" text in stdout or stderr.
# --absent PATH: PATH and PATH.partial do not exist afterwards (no half-written output);
#        an existing PATH or PATH.partial is removed before the command runs.
# --keep PATH:   PATH exists before and is byte-for-byte unchanged afterwards, and no
#        PATH.partial is left behind.
# --also REGEX:  a further pattern that must match the same stream (stdout for ok,
#        stderr for fail).
# --status N:    the exit status must be exactly N.
# The command runs under `timeout` (FC_EXPECT_TIMEOUT seconds, default 110: below
# ctest's 120 s so that a hang is reported here, with the output so far).
set -u
set -f # no globbing: patterns and paths are taken literally

usage() {
  echo "usage: expect.sh {ok|fail} REGEX [--also REGEX]... [--status N] [--absent PATH]... [--keep PATH]... -- COMMAND..." >&2
  exit 2
}

[ $# -ge 3 ] || usage
mode=$1
regex=$2
shift 2
case $mode in ok | fail) ;; *) usage ;; esac

status=""
also=""
absent=""
keep=""
nl='
'
while [ $# -gt 0 ]; do
  case $1 in
  --status) [ $# -ge 2 ] || usage; status=$2; shift 2 ;;
  --also) [ $# -ge 2 ] || usage; also="$also$2$nl"; shift 2 ;;
  --absent) [ $# -ge 2 ] || usage; absent="$absent$2$nl"; shift 2 ;;
  --keep) [ $# -ge 2 ] || usage; keep="$keep$2$nl"; shift 2 ;;
  --) shift; break ;;
  *) usage ;;
  esac
done
[ $# -ge 1 ] || usage

tmp=$(mktemp -d "${TMPDIR:-/tmp}/fc_expect.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
failures=0
messages=""
fail() {
  messages="${messages}FAILED: $*$nl"
  failures=$((failures + 1))
}

checksum() { sha256sum <"$1" | cut -d' ' -f1; }

# Paths: one per line (paths with newlines are not supported).
old_ifs=$IFS
IFS=$nl
for p in $absent; do
  rm -f -- "$p" "$p.partial"
done
nkeep=0
for p in $keep; do
  nkeep=$((nkeep + 1))
  if [ ! -f "$p" ]; then
    echo "expect.sh: --keep $p: the file does not exist before the command (test set-up problem)" >&2
    exit 2
  fi
  checksum "$p" >"$tmp/keep.$nkeep"
done
IFS=$old_ifs

echo "command: $*"
timeout -k 10 "${FC_EXPECT_TIMEOUT:-110}" "$@" >"$tmp/out" 2>"$tmp/err"
rc=$?
echo "exit status: $rc"

if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
  fail "the command timed out after ${FC_EXPECT_TIMEOUT:-110} s (a hang?)"
elif [ "$rc" -ge 128 ]; then
  fail "the command was killed by signal $((rc - 128)) (a crash?)"
fi
if [ -n "$status" ] && [ "$rc" -ne "$status" ]; then
  fail "expected exit status $status, got $rc"
fi

# Every pattern of REGEX and --also must match stream $1.
match_all() {
  grep -Eq -- "$regex" "$1" || fail "$2 does not match /$regex/"
  IFS=$nl
  for r in $also; do
    grep -Eq -- "$r" "$1" || fail "$2 does not match /$r/"
  done
  IFS=$old_ifs
}

bad_text='PETSC ERROR|Segmentation|MPI_ABORT|AddressSanitizer|runtime error:|LeakSanitizer'
nerr=$(grep -c '^flowcast: error' "$tmp/err")
if [ "$mode" = ok ]; then
  [ "$rc" -eq 0 ] || [ -n "$status" ] || fail "expected success (exit status 0), got $rc"
  match_all "$tmp/out" stdout
  [ "$nerr" -eq 0 ] || fail "stderr has $nerr 'flowcast: error' line(s), expected none"
else
  [ "$rc" -ne 0 ] || fail "expected a failure (non-zero exit status), got 0"
  [ "$nerr" -eq 1 ] || fail "stderr has $nerr line(s) starting with 'flowcast: error', expected exactly 1"
  match_all "$tmp/err" stderr
fi
if grep -Eq -- "$bad_text" "$tmp/err" "$tmp/out"; then
  fail "the output holds crash or library error text: $(grep -Eh -- "$bad_text" "$tmp/err" "$tmp/out" | head -n 1)"
fi

IFS=$nl
for p in $absent; do
  [ ! -e "$p" ] || fail "$p exists after the command (it must not be written)"
  [ ! -e "$p.partial" ] || fail "$p.partial was left behind (half-written output)"
done
nkeep=0
for p in $keep; do
  nkeep=$((nkeep + 1))
  if [ ! -f "$p" ]; then
    fail "$p was removed (it must be left untouched)"
  elif [ "$(checksum "$p")" != "$(cat "$tmp/keep.$nkeep")" ]; then
    fail "$p was modified (it must be left untouched)"
  fi
  [ ! -e "$p.partial" ] || fail "$p.partial was left behind (half-written output)"
done
IFS=$old_ifs

echo "---- stdout ----"
cat "$tmp/out"
echo "---- stderr ----"
cat "$tmp/err"
echo "----------------"
if [ "$failures" -gt 0 ]; then
  printf '%s' "$messages"
  echo "expect.sh: $failures check(s) failed (mode $mode, regex /$regex/)"
  exit 1
fi
echo "expect.sh: ok ($mode, /$regex/)"
exit 0
