-- wrk script: POST /api/invoices/<id>/payments of 1 minor unit, the id a random multiple of 10
-- in 10..N-10 (BENCH_N; gen_skewed.py makes those open with a balance no run can use up).
-- Counts non-200 answers so that the bench refuses a run whose payments were refused.
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "common.lua")
local n = tonumber(os.getenv("BENCH_N") or "1000")
local body = '{"amount":1,"date":"2026-12-01"}'

function request()
  local id = 10 * math.random(1, math.max(1, math.floor((n - 10) / 10)))
  return wrk.format("POST", "/api/invoices/" .. id .. "/payments",
    {["content-type"] = "application/json"}, body)
end

function response(status, headers, body)
  if status ~= 200 then bad = bad + 1 end
end
