-- wrk script: payment.lua's payments, each with a new Idempotency-Key (BENCH_RUN, the thread
-- and a counter), so that every request writes an idempotency record and none is a replay.
-- BENCH_KEYED=0 sends the same payments without a key.
extra_counters = {"replayed"}
non200_counters = {"bad", "replayed"}
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "common.lua")
local n = tonumber(os.getenv("BENCH_N") or "1000")
local keyed = os.getenv("BENCH_KEYED") ~= "0"
local run = os.getenv("BENCH_RUN") or "0"
local body = '{"amount":1,"date":"2026-12-01"}'

function thread_init(args)
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
