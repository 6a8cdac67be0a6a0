-- Searches as visitors type them: commune names, prefixes, a typo, two
-- words, the category words "cpas" and "planning", which each match a
-- quarter of the synthetic listings, and sentences as young people write
-- them; round robin over the list. (A word
-- found in every listing, such as "synthetic", is left out: no visitor
-- types one.)
local queries = {"schaer", "liege", "namur", "charleroi", "anderlecht",
  "shaerbeek", "mons", "arlon", "bruxelles", "cpas", "planning",
  "cpas%20wavre", "ixelles", "verviers", "tournai", "anderleckt",
  -- and what young people type (the situations of data/situations)
  "je%20me%20dispute%20avec%20mes%20parents", "je%20suis%20enceinte",
  "j%27ai%20plus%20d%27argent%20pour%20manger", "ruzie%20met%20mijn%20ouders",
  "kicked%20out%20by%20my%20parents", "contraception%20namur",
  "mon%20prof%20me%20harcele", "aide%20logement%20liege"}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", "/api/search?q=" .. queries[(i % #queries) + 1])
end
dofile(os.getenv("BENCH_DIR") .. "/wrk-report.lua")
