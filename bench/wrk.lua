-- wrk script: POST pre-signed Twilio webhook requests from a pool, one CallSid each,
-- and print a JSON line with throughput and latency percentiles when done.
-- BENCH_POOL names the Lua file written by bench/signed.py; BENCH_THREADS is wrk's -t.

local pool = dofile(os.getenv("BENCH_POOL"))
local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  -- Each thread sends its own slice of the pool, so no call is sent twice (a Twilio retry,
  -- answered from the stored reply) until the whole pool is used up.
  local slices = tonumber(os.getenv("BENCH_THREADS")) or 1
  counter = (id or 0) * math.floor(#pool / slices)
end

function request()
  counter = counter + 1
  local r = pool[(counter % #pool) + 1]
  return wrk.format("POST", r.path, {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["X-Twilio-Signature"] = r.signature,
    ["I-Twilio-Idempotency-Token"] = r.token,
    ["User-Agent"] = "TwilioProxy/1.1",
  }, r.body)
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "max_us": %d,'
      .. ' "connect_errors": %d, "read_errors": %d, "write_errors": %d,'
      .. ' "status_errors": %d, "timeouts": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    latency.max, errors.connect, errors.read, errors.write, errors.status, errors.timeout))
end
