-- wrk script: POST /api/invoices/<id>/payments of 1 minor unit, the id a random multiple of 10
-- in 10..N-10 (BENCH_N; gen_skewed.py makes those open with a balance no run can use up).
-- Counts non-200 answers so that the bench refuses a run whose payments were refused.
local n = tonumber(os.getenv("BENCH_N") or "1000")
local threads = {}
local body = '{"amount":1,"date":"2026-12-01"}'

function setup(thread)
  thread:set("seed", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(os.time() * 1000 + seed)
  bad = 0
end

function request()
  local id = 10 * math.random(1, math.max(1, math.floor((n - 10) / 10)))
  return wrk.format("POST", "/api/invoices/" .. id .. "/payments",
    {["content-type"] = "application/json"}, body)
end

function response(status, headers, body)
  if status ~= 200 then bad = bad + 1 end
end

function done(summary, latency, requests)
  local bad_total = 0
  for _, t in ipairs(threads) do bad_total = bad_total + (t:get("bad") or 0) end
  io.write(string.format("BENCH requests=%d seconds=%.3f rps=%.1f p50_ms=%.3f p99_ms=%.3f non200=%d errors=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, bad_total,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status +
      summary.errors.timeout))
end
