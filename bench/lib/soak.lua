-- wrk script of bench/soak.sh: GET /invoices/<random id in 1..BENCH_N> through the gateway
-- (the authorization header comes from wrk -H), and one machine-readable line at the end of
-- each slice. non2xx: answers with status > 399 (wrk's count; the chain sends no 3xx).
local n = tonumber(os.getenv("BENCH_N") or "1000")
local threads = {}

function setup(thread)
  thread:set("seed", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(os.time() * 1000 + seed)
end

function request()
  return wrk.format("GET", "/invoices/" .. math.random(1, n))
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'SLICE requests=%d seconds=%.3f p50_ms=%.3f p99_ms=%.3f non2xx=%d socket_errors=%d\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, e.status, e.connect + e.read + e.write + e.timeout))
end
