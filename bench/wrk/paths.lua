-- GET a different page on every request: the paths of BENCH_PATHS_FILE (one a line), each
-- thread walking its own share of them; backwards when BENCH_REVERSE is "1" (the warm-up), so
-- that the measured run asks for pages the warm-up did not (nothing is served from a cache
-- the warm-up filled).
package.path = os.getenv("BENCH_LUA_DIR") .. "/?.lua;" .. package.path
require("common")

local cookie = os.getenv("BENCH_COOKIE") or ""
if cookie ~= "" then wrk.headers["Cookie"] = cookie end
wrk.headers["Accept-Language"] = "zh-hans"

local paths, at, step = {}, 1, 1

function init(args)
  for line in io.lines(os.getenv("BENCH_PATHS_FILE")) do table.insert(paths, line) end
  local share = math.floor(#paths / tonumber(os.getenv("BENCH_THREADS") or "1"))
  if os.getenv("BENCH_REVERSE") == "1" then
    at, step = id * share, -1
  else
    at, step = (id - 1) * share + 1, 1
  end
end

function request()
  local path = paths[at]
  at = at + step
  if at < 1 then at = #paths elseif at > #paths then at = 1 end
  return wrk.format("GET", path)
end

function response(status, headers, body)
  count_response(status, headers)
end
