-- wrk script for `cargo xtask bench` (tests/benches/stack/traffic.rs). With a targets file (one
-- "PATH TOKEN ETAG" line per pending checkout), each request polls the next checkout as the widget
-- does: its order token as Bearer, If-None-Match on the ETag of the view it holds. Without one, the
-- URL wrk was given. Prints its figures as one JSON line.
local targets = {}
local n = 0
local threads = 0

-- Each thread starts at a different checkout, so that threads do not poll the same one in step.
function setup(thread)
  thread:set("offset", threads * 7919)
  threads = threads + 1
end

function init(args)
  n = offset
  if args[1] then
    for line in io.lines(args[1]) do
      local path, token, etag = line:match("^(%S+) (%S+) (.+)$")
      targets[#targets + 1] = { path = path, token = token, etag = etag }
    end
  end
end

function request()
  if #targets == 0 then
    return wrk.request()
  end
  n = n + 1
  local t = targets[(n % #targets) + 1]
  return wrk.format("GET", t.path, { Authorization = "Bearer " .. t.token, ["If-None-Match"] = t.etag })
end

-- status: answers >= 400 (wrk counts them among the completed requests).
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,"p50_us":%d,"p99_us":%d}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
