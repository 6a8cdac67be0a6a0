-- Live listing tiles over Belgium, zooms 6 to 14 (fixed seed: the same
-- tiles each run), as a map being panned and zoomed asks for them.
math.randomseed(20261201)
local function tile(z)
  local lat = 49.6 + math.random() * 1.8
  local lon = 2.6 + math.random() * 3.7
  local n = 2 ^ z
  local x = math.floor((lon + 180) / 360 * n)
  local r = math.rad(lat)
  local y = math.floor((1 - math.log(math.tan(r) + 1 / math.cos(r)) / math.pi) / 2 * n)
  return string.format("/tiles/%d/%d/%d.mvt", z, x, y)
end
request = function()
  return wrk.format("GET", tile(math.random(6, 14)))
end
dofile(os.getenv("BENCH_DIR") .. "/wrk-report.lua")
