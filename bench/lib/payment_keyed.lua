-- wrk script: payment.lua's payments, each with a new Idempotency-Key (BENCH_RUN, the thread
-- and a counter), so that every request writes an idempotency record and none is a replay.
-- BENCH_KEYED=0 sends the same payments without a key.
local n = tonumber(os.getenv("BENCH_N") or "1000")
local keyed = os.getenv("BENCH_KEYED") ~= "0"
local run = os.getenv("BENCH_RUN") or "0"
local threads = {}
local body = '{"amount":1,"date":"2026-12-01"}'

function setup(thread)
  thread:set("seed", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(os.time() * 1000 + seed)
  bad = 0
  replayed = 0
  counter = 0
end

function request()
  local id = 10 * math.random(1, math.max(1, math.floor((n - 10) / 10)))
  local headers = {["content-type"] = "application/json"}
  if keyed then
    counter = counter + 1
    headers["idempotency-key"] = "bench-" .. run .. "-" .. seed .. "-" .. counter
  end
  return wrk.format("POST", "/api/invoices/" .. id .. "/payments", headers, body)
end

function response(status, headers, body)
  if status ~= 200 then bad = bad + 1 end
  if headers["idempotent-replayed"] or headers["Idempotent-Replayed"] then replayed = replayed + 1 end
end

function done(summary, latency, requests)
  local bad_total, replayed_total = 0, 0
  for _, t in ipairs(threads) do
    bad_total = bad_total + (t:get("bad") or 0)
    replayed_total = replayed_total + (t:get("replayed") or 0)
  end
  io.write(string.format("BENCH requests=%d seconds=%.3f rps=%.1f p50_ms=%.3f p99_ms=%.3f non200=%d errors=%d replayed=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, bad_total + replayed_total,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status +
      summary.errors.timeout, replayed_total))
end
