-- GET one page with a session cookie (BENCH_COOKIE), counting statuses and SQL queries.
package.path = os.getenv("BENCH_LUA_DIR") .. "/?.lua;" .. package.path
require("common")

wrk.method = "GET"
wrk.path = os.getenv("BENCH_PATH")
local cookie = os.getenv("BENCH_COOKIE") or ""
if cookie ~= "" then wrk.headers["Cookie"] = cookie end
wrk.headers["Accept-Language"] = "zh-hans"

function response(status, headers, body)
  count_response(status, headers)
end
