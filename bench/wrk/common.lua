-- Shared by page.lua and submit.lua: per-thread counters, summed in done() as one JSON line.
threads = {}

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

qmin, qmax, qsum, qn, statuses = nil, 0, 0, 0, {}

function count_response(status, headers)
  local q = tonumber(headers["X-Bench-Queries"] or headers["x-bench-queries"] or "")
  if q then
    if qmin == nil or q < qmin then qmin = q end
    if q > qmax then qmax = q end
    qsum = qsum + q
    qn = qn + 1
  end
  local key = tostring(status)
  statuses[key] = (statuses[key] or 0) + 1
end

function done(summary, latency, requests)
  local q_min, q_max, q_sum, q_n, st = nil, 0, 0, 0, {}
  for _, t in ipairs(threads) do
    local m = t:get("qmin")
    if m ~= nil and (q_min == nil or m < q_min) then q_min = m end
    local x = t:get("qmax") or 0
    if x > q_max then q_max = x end
    q_sum = q_sum + (t:get("qsum") or 0)
    q_n = q_n + (t:get("qn") or 0)
    for k, v in pairs(t:get("statuses") or {}) do st[k] = (st[k] or 0) + v end
  end
  local parts = {}
  for k, v in pairs(st) do table.insert(parts, string.format('"%s":%d', k, v)) end
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,' ..
    '"mean_us":%.1f,"max_us":%d,"errors_connect":%d,"errors_read":%d,"errors_write":%d,' ..
    '"errors_status":%d,"errors_timeout":%d,"queries_min":%s,"queries_max":%d,' ..
    '"queries_mean":%.2f,"statuses":{%s}}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.mean, latency.max, summary.errors.connect,
    summary.errors.read, summary.errors.write, summary.errors.status, summary.errors.timeout,
    q_min == nil and "null" or tostring(q_min), q_max, q_n > 0 and q_sum / q_n or 0,
    table.concat(parts, ",")))
end
