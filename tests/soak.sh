#!/usr/bin/env bash
# tests/soak.sh GEN IMPORT SERVER - load for SOAK_SECONDS (default 600):
# the shipped listings plus SOAK_COUNT (default 100000) SYNTHETIC ones
# (bench/gen_listings.c, seeded), amo-server on a free loopback port, and
# wrk (tests/wrk-mixed.lua: nearest at random points, search with words of
# the data, tiles, GeoJSON of small boxes, communes, status) at 16
# connections. The server's private memory (Anonymous in
# /proc/PID/smaps_rollup: heap and stacks, not the mapped database file)
# is sampled after a SOAK_WARMUP (default 30 s) of the same traffic, every
# minute, and at the end; it must not grow by more than 10%. No answer may
# be 5xx and no socket error may occur. Prints requests served, errors and
# memory before and after; exits 1 on any failure.
set -u
gen=$1 imp=$2 srv=$3
n=${SOAK_COUNT:-100000} secs=${SOAK_SECONDS:-600} warm=${SOAK_WARMUP:-30}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/amo-soak-XXXXXX)
db=$work/amo.db spid="" wpid=""
cleanup() {
  [ -n "$wpid" ] && kill "$wpid" 2>/dev/null
  [ -n "$spid" ] && kill "$spid" 2>/dev/null && wait "$spid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

# kB of one field of /proc/PID/smaps_rollup.
mem() { awk -v f="$1:" '$1 == f {print $2}' "/proc/$spid/smaps_rollup"; }

"$gen" --count "$n" --format csv > "$work/synth.csv"
"$imp" --quiet --db "$db" "$here"/../data/listings/*.csv > /dev/null &&
"$imp" --quiet --db "$db" --source synthetic "$work/synth.csv" > /dev/null ||
  { echo "soak: the import failed"; exit 1; }
"$srv" --db "$db" --listen 127.0.0.1:0 > "$work/server.log" 2>&1 &
spid=$!
for _ in $(seq 100); do
  port=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$work/server.log")
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || { echo "soak: amo-server did not start"; exit 1; }
run() { wrk -t2 -c16 -d"$1s" --timeout 10s -s "$here/wrk-mixed.lua" \
  "http://127.0.0.1:$port" > "$2" 2>&1; }

echo "soak: $(sqlite3 -readonly "$db" 'SELECT count(*) FROM listings') listings" \
  "($n synthetic), warm-up ${warm}s, then ${secs}s of mixed traffic"
run "$warm" "$work/warm.out"
anon0=$(mem Anonymous) rss0=$(mem Rss)
echo "soak: after warm-up: private $((anon0 / 1024)) MB (Anonymous), RSS $((rss0 / 1024)) MB"
run "$secs" "$work/wrk.out" &
wpid=$!
t=0
while kill -0 "$wpid" 2>/dev/null; do
  sleep 5; t=$((t + 5))
  [ $((t % 60)) -eq 0 ] && echo "soak: ${t}s: private $(($(mem Anonymous) / 1024)) MB, RSS $(($(mem Rss) / 1024)) MB"
done
wait "$wpid"; wpid=""
anon1=$(mem Anonymous) rss1=$(mem Rss)
kill -TERM "$spid"; wait "$spid"; src=$?; spid=""

failed=0
grep -q '^REQUESTS' "$work/wrk.out" || { echo "soak: wrk failed: $(cat "$work/wrk.out")"; exit 1; }
read -r _ req rate < <(grep '^REQUESTS' "$work/wrk.out")
read -r _ c r w to < <(grep '^SOCKET' "$work/wrk.out")
codes=$(awk '/^STATUS/ {printf "%s%s:%s", sep, $2, $3; sep=" "}' "$work/wrk.out")
e5=$(awk '/^STATUS/ && $2 >= 500 {s += $3} END {print s + 0}' "$work/wrk.out")
errors=$((e5 + c + r + w + to))
growth=$(awk -v a="$anon0" -v b="$anon1" 'BEGIN {printf "%.1f", (b - a) * 100 / a}')
echo "soak: $req requests served in ${secs}s ($rate/s); status $codes"
echo "soak: errors: $errors (5xx $e5, socket connect $c read $r write $w timeout $to)"
echo "soak: private memory $((anon0 / 1024)) MB after warm-up, $((anon1 / 1024)) MB at the end ($growth%);" \
  "RSS $((rss0 / 1024)) -> $((rss1 / 1024)) MB (RSS includes the mapped database)"
[ "$errors" -eq 0 ] || { echo "soak: FAIL: $errors errors"; failed=1; }
awk -v g="$growth" 'BEGIN {exit !(g > 10)}' &&
  { echo "soak: FAIL: private memory grew by $growth% (limit 10%)"; failed=1; }
[ "$src" = 0 ] || { echo "soak: FAIL: amo-server exited $src on SIGTERM"; failed=1; }
[ "$failed" = 0 ] && echo "soak: passed"
exit "$failed"
