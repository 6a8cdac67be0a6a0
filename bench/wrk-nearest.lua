-- Random points over Belgium's bounding box (fixed seed: the same run each
-- time); prints one RESULT line for bench/bench-server to read.
math.randomseed(20261123)
request = function()
  local lat = 49.50 + math.random() * 2.0
  local lon = 2.55 + math.random() * 3.85
  return wrk.format("GET", string.format("/api/nearest?lat=%.5f&lon=%.5f", lat, lon))
end
dofile(os.getenv("BENCH_DIR") .. "/wrk-report.lua")
