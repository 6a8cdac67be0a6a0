-- Mixed traffic for the fault and soak tests (tests/faults.sh,
-- tests/soak.sh): nearest at random points over Belgium, searches with
-- words of the data, tiles at several zooms, GeoJSON of small boxes, a
-- listing by id, communes, status. Counts answers by status code in every
-- thread and prints them in done() as "STATUS code count" lines, with one
-- "SOCKET connect read write timeout" line, for the shell to check.
-- Random but seeded per thread: the same run each time. Words found in
-- every synthetic listing ("synthetic") are left out: no visitor types
-- them, and each costs half a second at 100,000 listings.
local words = {"schaer", "liege", "namur", "charleroi", "anderlecht",
  "shaerbeek", "mons", "arlon", "bruxelles", "cpas", "planning",
  "cpas%20wavre", "ixelles", "verviers", "tournai", "aide", "jeunes",
  "droit%20des%20jeunes", "amo"}
local postcodes = {"1000", "1030", "1070", "4000", "5000", "6000", "6700",
  "7000", "21015", "62063", "9999"}
local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("seed", 20261123 + counter)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(seed)
  statuses = {}
end

local function tile(z)
  local lat = 49.6 + math.random() * 1.8
  local lon = 2.7 + math.random() * 3.5
  local n = 2 ^ z
  local x = math.floor((lon + 180) / 360 * n)
  local r = math.rad(lat)
  local y = math.floor((1 - math.log(math.tan(r) + 1 / math.cos(r)) / math.pi) / 2 * n)
  return string.format("/tiles/%d/%d/%d.mvt", z, x, y)
end

request = function()
  local k = math.random(100)
  local path
  if k <= 35 then
    path = string.format("/api/nearest?lat=%.5f&lon=%.5f",
      49.5 + math.random() * 2.0, 2.55 + math.random() * 3.85)
  elseif k <= 50 then
    path = "/api/search?q=" .. words[math.random(#words)]
  elseif k <= 75 then
    path = tile(({6, 8, 10, 12, 13, 14})[math.random(6)])
  elseif k <= 85 then
    local lon, lat = 2.7 + math.random() * 3.4, 49.6 + math.random() * 1.8
    path = string.format("/api/listings.geojson?bbox=%.4f,%.4f,%.4f,%.4f",
      lon, lat, lon + 0.05, lat + 0.03)
  elseif k <= 93 then
    path = "/api/communes/" .. postcodes[math.random(#postcodes)]
  elseif k <= 97 then
    path = "/api/status"
  else
    path = "/api/listings/424737381508270"
  end
  return wrk.format("GET", path)
end

response = function(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

done = function(summary, latency, requests)
  local total = {}
  for _, t in ipairs(threads) do
    for code, n in pairs(t:get("statuses")) do
      total[code] = (total[code] or 0) + n
    end
  end
  for code, n in pairs(total) do
    io.write(string.format("STATUS %d %d\n", code, n))
  end
  local e = summary.errors
  io.write(string.format("SOCKET %d %d %d %d\n", e.connect, e.read, e.write,
    e.timeout))
  io.write(string.format("REQUESTS %d %.0f\n", summary.requests,
    summary.requests / (summary.duration / 1e6)))
end
