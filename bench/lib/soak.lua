-- wrk script of bench/soak.sh: GET /invoices/<random id in 1..BENCH_N> through the gateway
-- (the authorization header comes from wrk -H), and one machine-readable line at the end of
-- each slice. non2xx: answers with status > 399 (wrk's count; the chain sends no 3xx).
-- Threads seeded as common.lua seeds them; its BENCH line is replaced by the SLICE line below.
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "common.lua")
local n = tonumber(os.getenv("BENCH_N") or "1000")

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
