-- wrk script of bench/run.sh's "realistic" mix, through the gateway:
--   95 % GET /invoices/<random id in 1..BENCH_N (1000)>;
--    5 % writes: POST /invoices/<id>/payments of 1 minor unit with a fresh Idempotency-Key, on
--        invoices this run creates itself (each thread's first writes are POST /invoices/
--        creating one, whose Location gives the id; BENCH_INVOICES_PER_THREAD of them);
--   the Authorization value round-robin over BENCH_KEYS (comma-separated; unset: wrk's -H).
-- Counts answers that are not 2xx (non200); the Node.js original has no writes at all, so there
-- every write is refused (404) and counted.
extra_counters = {"writes", "created"}
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "common.lua")
local n = tonumber(os.getenv("BENCH_N") or "1000")
local write_pct = tonumber(os.getenv("BENCH_WRITE_PCT") or "5")
local per_thread = tonumber(os.getenv("BENCH_INVOICES_PER_THREAD") or "4")
local run = os.getenv("BENCH_RUN") or tostring(os.time())
local keys = {}
for key in string.gmatch(os.getenv("BENCH_KEYS") or "", "[^,]+") do table.insert(keys, key) end
local new_invoice = '{"customerId":"BENCH","customerName":"Bench run","ccy":"GBP",' ..
  '"amount":100000000000,"issueDate":"2026-11-01","dueDate":"2026-12-31"}'
local payment = '{"amount":1,"date":"2026-12-01"}'

function thread_init(args)
  turn = seed  -- threads start on different keys
  counter = 0
  ids = {}
  -- Keys unique to this wrk process too: the warm-up and the measured run share BENCH_RUN and
  -- the store, and a key sent again with another invoice is a 409.
  stamp = os.time() .. "-" .. math.random(1, 1000000000)
end

-- wrk.format takes the given headers instead of wrk's (-H): those are copied in first.
local function headers_with_key(h)
  for name, value in pairs(wrk.headers) do
    if h[name] == nil then h[name] = value end
  end
  if #keys > 0 then
    turn = turn + 1
    h["authorization"] = keys[turn % #keys + 1]
  end
  return h
end

function request()
  if math.random(1, 100) <= write_pct then
    writes = writes + 1
    if #ids < per_thread then
      return wrk.format("POST", "/invoices/",
        headers_with_key({["content-type"] = "application/json"}), new_invoice)
    end
    counter = counter + 1
    return wrk.format("POST", "/invoices/" .. ids[math.random(1, #ids)] .. "/payments",
      headers_with_key({["content-type"] = "application/json",
        ["idempotency-key"] = "mix-" .. run .. "-" .. stamp .. "-" .. seed .. "-" .. counter}), payment)
  end
  return wrk.format("GET", "/invoices/" .. math.random(1, n), headers_with_key({}))
end

function response(status, headers, body)
  if status == 201 then  -- a create: its Location names the invoice the next payments go to
    local id = string.match(headers["location"] or headers["Location"] or "", "/invoices/(%d+)")
    if id and #ids < per_thread then
      table.insert(ids, id)
      created = created + 1
    end
  end
  if status < 200 or status > 299 then bad = bad + 1 end
end
