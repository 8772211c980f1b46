-- The part every bench wrk script shares (loaded with dofile from the script's folder):
-- threads seeded apart, a `bad` count of answers the script refuses, and one machine-readable
-- line at the end:
--   BENCH requests=… seconds=… rps=… p50_ms=… p99_ms=… non200=… errors=… [name=… …]
-- A script sets `extra_counters` (global names each thread counts, summed and printed after
-- errors) and `non200_counters` (those added to non200; default {"bad"}) before done() runs.
local threads = {}
extra_counters = extra_counters or {}
non200_counters = non200_counters or {"bad"}

function setup(thread)
  thread:set("seed", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(os.time() * 1000 + seed)
  bad = 0
  for _, name in ipairs(extra_counters) do _G[name] = 0 end
  if thread_init then thread_init(args) end
end

function done(summary, latency, requests)
  local function total(name)
    local sum = 0
    for _, t in ipairs(threads) do sum = sum + (t:get(name) or 0) end
    return sum
  end
  local non200 = 0
  for _, name in ipairs(non200_counters) do non200 = non200 + total(name) end
  local e = summary.errors
  local line = string.format(
    "BENCH requests=%d seconds=%.3f rps=%.1f p50_ms=%.3f p99_ms=%.3f non200=%d errors=%d",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, non200,
    e.connect + e.read + e.write + e.status + e.timeout)
  for _, name in ipairs(extra_counters) do
    line = line .. string.format(" %s=%d", name, total(name))
  end
  io.write(line .. "\n")
end
