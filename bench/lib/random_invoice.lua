-- wrk script: GET /api/invoices/<id> with a random id in 1..N (N from the environment,
-- BENCH_N), each thread seeded apart. Counts non-2xx answers so the bench can refuse a run
-- whose answers were not invoices.
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "common.lua")
local n = tonumber(os.getenv("BENCH_N") or "1000")

function request()
  return wrk.format("GET", "/api/invoices/" .. math.random(1, n))
end

function response(status, headers, body)
  if status ~= 200 then bad = bad + 1 end
end
