#!/usr/bin/env bash
# tests/faults.sh GEN IMPORT SERVER - faults under load. Builds a database
# of the shipped listings plus FAULT_COUNT (default 50000) SYNTHETIC ones
# (bench/gen_listings.c, seeded), starts amo-server on a free loopback
# port and drives it with wrk (tests/wrk-mixed.lua: nearest, search, tiles,
# GeoJSON, communes, status) for FAULT_SECONDS (default 10) in each phase:
#   a. an import adds a source;
#   b. an import is killed with SIGKILL in the middle, then run again;
#   c. the database's filesystem is full during an import (a small tmpfs;
#      needs root, skipped with a message otherwise);
#   d. the database file is replaced (a new file renamed over it).
# After each phase: no answer is 5xx (except in d, 503 for the moment the
# server's connections to the old file take to close, as documented), no
# socket error, `PRAGMA integrity_check` is ok, the R*Tree and FTS5 indexes
# hold every listing, and the count of listings of every source is what it
# must be (nothing lost, nothing half-written). Prints what broke; exits 1
# if anything did.
set -u
gen=$1 imp=$2 srv=$3
n=${FAULT_COUNT:-50000} secs=${FAULT_SECONDS:-10}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/amo-faults-XXXXXX)
db=$work/amo.db
spid="" wpid="" mnt=""
failures=()

cleanup() {
  [ -n "$wpid" ] && kill "$wpid" 2>/dev/null
  [ -n "$spid" ] && kill "$spid" 2>/dev/null && wait "$spid" 2>/dev/null
  [ -n "$mnt" ] && umount "$mnt" 2>/dev/null
  [ ${#failures[@]} -gt 0 ] && cat "$work"/server-*.log > /tmp/amo-faults-server.log 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

say() { printf '%s\n' "$*"; }
fail() { say "FAIL: $*"; failures+=("$*"); }

# Source=count lines of a database, sorted.
counts() { sqlite3 -readonly "$1" \
  "SELECT source || '=' || count(*) FROM listings GROUP BY source ORDER BY source"; }

# The integrity checks of one database file.
check_db() {
  local file=$1 phase=$2 ic idx
  ic=$(sqlite3 -readonly "$file" 'PRAGMA integrity_check' 2>&1)
  [ "$ic" = ok ] || fail "$phase: integrity_check: $ic"
  idx=$(sqlite3 -readonly "$file" "SELECT (SELECT count(*) FROM listings)
    || ' ' || (SELECT count(*) FROM listings_rtree)
    || ' ' || (SELECT count(*) FROM listings_fts)" 2>&1)
  set -- $idx
  [ "${1:-x}" = "${2:-y}" ] && [ "${1:-x}" = "${3:-z}" ] ||
    fail "$phase: listings/rtree/fts rows differ: $idx"
}

expect_counts() {
  local phase=$1 want=$2 got
  got=$(counts "$db" 2>&1)
  if [ "$got" != "$want" ]; then
    fail "$phase: listings by source changed"
    diff <(printf '%s\n' "$want") <(printf '%s\n' "$got") | sed 's/^/    /'
  fi
}

starts=0
start_server() {
  starts=$((starts + 1))
  local file=$1 log=$work/server-$starts.log
  : > "$log"
  "$srv" --db "$file" --listen 127.0.0.1:0 --threads 2 > "$log" 2>&1 &
  spid=$!
  for _ in $(seq 100); do
    port=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$log")
    [ -n "$port" ] && return 0
    sleep 0.1
  done
  fail "amo-server did not start: $(cat "$log")"; exit 1
}

stop_server() {
  kill -TERM "$spid"; wait "$spid"; local rc=$?
  [ "$rc" = 0 ] || fail "amo-server exited with $rc on SIGTERM: $(tail -3 "$work/server-$starts.log")"
  spid=""
}

drive() { # start wrk in the background for the phase
  wrk -t2 -c8 -d"${secs}s" --timeout 10s -s "$here/wrk-mixed.lua" \
    "http://127.0.0.1:$port" > "$work/wrk.out" 2>&1 &
  wpid=$!
}

# Wait for wrk, then check its status codes and socket errors.
check_load() {
  local phase=$1 line bad=0
  wait "$wpid"; wpid=""
  if ! grep -q '^REQUESTS' "$work/wrk.out"; then
    fail "$phase: wrk failed: $(cat "$work/wrk.out")"; return
  fi
  line=$(awk '/^STATUS/ {printf "%s%s:%s", sep, $2, $3; sep=" "}' "$work/wrk.out")
  read -r _ req rate < <(grep '^REQUESTS' "$work/wrk.out")
  read -r _ c r w t < <(grep '^SOCKET' "$work/wrk.out")
  say "  $phase: $req requests ($rate/s), status $line, socket errors $c/$r/$w/$t"
  total_requests=$((total_requests + req))
  for code in $(awk '/^STATUS/ && $2 >= 500 {print $2 "x" $3}' "$work/wrk.out"); do
    if [ "${code%x*}" = 503 ] && [ "${2:-}" = allow503 ]; then
      say "  $phase: ${code#*x} answers 503 (documented: database being replaced)"
    else
      fail "$phase: ${code#*x} answers with status ${code%x*}"; bad=1
    fi
  done
  [ $((c + r + w + t)) -eq 0 ] ||
    fail "$phase: socket errors connect $c read $r write $w timeout $t"
}

total_requests=0
say "faults: $n synthetic listings + the shipped ones, wrk ${secs}s per phase"
"$gen" --count "$n" --seed 1 --format csv > "$work/synth-a.csv"
"$gen" --count "$n" --seed 2 --format csv > "$work/synth-b.csv"
"$gen" --count "$n" --seed 3 --format csv > "$work/synth-c.csv"
"$gen" --count 2000 --seed 4 --format csv > "$work/synth-d.csv"
"$imp" --quiet --db "$db" --prune "$here"/../data/listings/*.csv > /dev/null ||
  { fail "importing the shipped listings"; exit 1; }
"$imp" --quiet --db "$db" --source synth-a "$work/synth-a.csv" > /dev/null ||
  { fail "importing synth-a"; exit 1; }
base=$(counts "$db")
say "database: $(printf '%s ' $base)"
start_server "$db"

say "a. import while serving"
drive
t0=$(date +%s%N)
"$imp" --quiet --db "$db" --source synth-b "$work/synth-b.csv" > "$work/imp.log" 2>&1 ||
  fail "a: the import failed: $(tail -3 "$work/imp.log")"
import_ms=$((($(date +%s%N) - t0) / 1000000))
say "  the import took $import_ms ms"
check_load a
want=$(printf '%s\nsynth-b=%s\n' "$base" "$n" | sort)
expect_counts a "$want"
check_db "$db" a
base=$want

say "b. import killed with SIGKILL, then run again"
drive
# Killed half-way (reading and writing rows) and at 75% (building the
# indexes or committing), as long as the same import took in phase a: the
# same moments on a fast or a slow machine.
for pct in 50 75; do
  "$imp" --quiet --db "$db" --source synth-c "$work/synth-c.csv" > /dev/null 2>&1 &
  ipid=$!
  ms=$((import_ms * pct / 100))
  sleep "$(awk -v ms="$ms" 'BEGIN {printf "%.2f", ms / 1000}')"
  if kill -0 "$ipid" 2>/dev/null; then
    wal=$(stat -c %s "$db-wal" 2>/dev/null || echo 0)
    kill -KILL "$ipid"; wait "$ipid" 2>/dev/null
    say "  killed amo-import after $ms ms ($pct%), with $((wal / 1024)) KiB in the WAL"
  else
    wait "$ipid"
    say "  amo-import ended before the kill at $pct% (the kill tested nothing)"
    [ "$pct" = 50 ] && fail "b: the import ended before the kill (raise FAULT_COUNT)"
    break
  fi
  expect_counts "b (after the kill at $pct%)" "$base"
  check_db "$db" "b (after the kill at $pct%)"
done
"$imp" --quiet --db "$db" --source synth-c "$work/synth-c.csv" > "$work/imp.log" 2>&1 ||
  fail "b: the import after the kill failed: $(tail -3 "$work/imp.log")"
check_load b
want=$(printf '%s\nsynth-c=%s\n' "$base" "$n" | sort)
expect_counts "b (after the re-run)" "$want"
check_db "$db" "b (after the re-run)"
base=$want

say "c. filesystem full during an import"
if [ "$(id -u)" != 0 ]; then
  say "  SKIPPED: mounting a tmpfs needs root (run make faults as root)"
elif ! command -v mount >/dev/null; then
  say "  SKIPPED: no mount command"
else
  mnt=$work/full; mkdir -p "$mnt"
  sqlite3 "$db" 'PRAGMA wal_checkpoint(TRUNCATE)' > /dev/null
  size=$(( $(stat -c %s "$db") / 1048576 + 64 ))
  if ! mount -t tmpfs -o size="${size}m" tmpfs "$mnt" 2>"$work/mount.err"; then
    say "  SKIPPED: cannot mount a tmpfs: $(cat "$work/mount.err")"; mnt=""
  else
    stop_server
    cp "$db" "$mnt/amo.db"
    start_server "$mnt/amo.db"
    curl -s -o /dev/null "http://127.0.0.1:$port/api/status" # -shm exists
    # Fill the filesystem, leaving 64 KiB: the import cannot finish.
    dd if=/dev/zero of="$mnt/filler" bs=64k 2>/dev/null
    truncate -s -64k "$mnt/filler"
    say "  $(df -h "$mnt" | awk 'NR==2 {print $2 " tmpfs, " $4 " free"}')"
    drive
    "$imp" --quiet --db "$mnt/amo.db" --source synth-d "$work/synth-d.csv" > "$work/imp.log" 2>&1
    rc=$?
    if [ "$rc" = 0 ]; then
      fail "c: the import succeeded on a full filesystem (the test did not fill it)"
    else
      say "  amo-import exited $rc: $(grep -iv "^total:\|^ *$" "$work/imp.log" | tail -1)"
    fi
    check_load c
    db_saved=$db; db=$mnt/amo.db
    expect_counts "c (disk full)" "$base"
    check_db "$db" "c (disk full)"
    rm -f "$mnt/filler"
    "$imp" --quiet --db "$db" --source synth-d "$work/synth-d.csv" > "$work/imp.log" 2>&1 ||
      fail "c: the import after freeing space failed: $(tail -3 "$work/imp.log")"
    want=$(printf '%s\nsynth-d=2000\n' "$base" | sort)
    expect_counts "c (space freed)" "$want"
    check_db "$db" "c (space freed)"
    stop_server
    db=$db_saved
    umount "$mnt"; mnt=""
    start_server "$db"
  fi
fi

say "d. database file replaced while serving"
# The new file is built apart, as staff would (a fresh import of the same
# inputs), then renamed over the served one in one step.
new=$work/new.db
"$imp" --quiet --db "$new" --prune "$here"/../data/listings/*.csv > /dev/null &&
"$imp" --quiet --db "$new" --source synth-a "$work/synth-a.csv" > /dev/null &&
"$imp" --quiet --db "$new" --source synth-b "$work/synth-b.csv" > /dev/null ||
  fail "d: building the new database failed"
want=$(counts "$new")
# An import into the served file just before, under load: it must leave
# an empty WAL, or the new file would be read through it.
drive
"$imp" --quiet --db "$db" --source synth-e "$work/synth-d.csv" > /dev/null 2>&1 ||
  fail "d: the import before the swap failed"
check_load "d (import before the swap)"
wal=$(stat -c %s "$db-wal" 2>/dev/null || echo 0)
[ "$wal" = 0 ] || fail "d: the import left $wal bytes in the WAL"
drive
sleep "$((secs / 3))"
mv "$new" "$db"
say "  renamed a new database over the served one"
# 503 is allowed while connections to the old file close (server/store.c
# says why), for a moment only: /api/status must be 200 within 5 s.
for _ in $(seq 50); do
  code=$(curl -s -o "$work/status.json" -w '%{http_code}' "http://127.0.0.1:$port/api/status")
  [ "$code" = 200 ] && break
  sleep 0.1
done
status=$(cat "$work/status.json")
check_load d allow503
expect_counts d "$want"
check_db "$db" d
total=$(sqlite3 -readonly "$db" 'SELECT count(*) FROM listings')
case $status in
  *"\"total\":$total"*) say "  /api/status serves the new file ($total listings)" ;;
  *) fail "d: /api/status does not serve the new file ($total listings): $status" ;;
esac
stop_server

say "faults: $total_requests requests served in all phases"
if [ ${#failures[@]} -gt 0 ]; then
  say "faults: ${#failures[@]} failure(s):"
  printf '  - %s\n' "${failures[@]}"
  exit 1
fi
say "faults: all phases passed"
