-- wrk script: GET /api/invoices/<id> with a random id in 1..N (N from the environment,
-- BENCH_N), each thread seeded apart. Counts non-2xx answers so the bench can refuse a run
-- whose answers were not invoices.
local n = tonumber(os.getenv("BENCH_N") or "1000")
local threads = {}

function setup(thread)
  thread:set("seed", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(os.time() * 1000 + seed)
  bad = 0
end

function request()
  return wrk.format("GET", "/api/invoices/" .. math.random(1, n))
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
