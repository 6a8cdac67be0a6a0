-- Searches as visitors type them: commune names, prefixes, a typo, two
-- words, and the category words "cpas" and "planning", which each match a
-- quarter of the synthetic listings; round robin over the list. (A word
-- found in every listing, such as "synthetic", is left out: no visitor
-- types one.)
local queries = {"schaer", "liege", "namur", "charleroi", "anderlecht",
  "shaerbeek", "mons", "arlon", "bruxelles", "cpas", "planning",
  "cpas%20wavre", "ixelles", "verviers", "tournai", "anderleckt"}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", "/api/search?q=" .. queries[(i % #queries) + 1])
end
dofile(os.getenv("BENCH_DIR") .. "/wrk-report.lua")
