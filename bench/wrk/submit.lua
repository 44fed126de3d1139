-- File appeals as logged-in enterprise users: GET the form (its one-time form token), then
-- POST it with the CSRF token, one connection per thread. Each thread files as BENCH_PEOPLE
-- people in turn, one appeal each (thread 1: BENCH_COOKIE_1 .. BENCH_COOKIE_<people>, thread 2
-- the next ones, ...), as many enterprises do, not one person filing thousands (bench/run.py,
-- SUBMIT_PEOPLE_PER_CLIENT). A submission is a 302 to the new case's page.
package.path = os.getenv("BENCH_LUA_DIR") .. "/?.lua;" .. package.path
require("common")

local csrf = os.getenv("BENCH_CSRF")
local category = os.getenv("BENCH_CATEGORY")
local run = os.getenv("BENCH_RUN") or "0"
local token, cookie, n = nil, nil, 0
local cookies, person, posting = {}, 1, false
submitted = 0

function init(args)
  local people = tonumber(os.getenv("BENCH_PEOPLE") or "1")
  for k = 1, people do  -- each with csrftoken=BENCH_CSRF (bench/run.py)
    table.insert(cookies, os.getenv("BENCH_COOKIE_" .. ((id - 1) * people + k)))
  end
  cookie = cookies[person]
end

local function urlencode(s)
  return (s:gsub("[^%w%-_%.~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

function request()
  if token then
    n = n + 1
    local title = "压测诉求 " .. run .. "-" .. id .. "-" .. n .. "：厂房租金补贴申报进度咨询"
    local description = "我司位于科学城，于上月提交了厂房租金补贴申报材料，至今未收到审核结果。" ..
      "请问目前办理进度如何，预计何时可以拨付？编号 " .. run .. "-" .. id .. "-" .. n
    local body = "csrfmiddlewaretoken=" .. csrf .. "&form_token=" .. urlencode(token) ..
      "&appeal_type=inquiry&category=" .. category .. "&title=" .. urlencode(title) ..
      "&description=" .. urlencode(description) .. "&subject_unit="
    token, posting = nil, true
    return wrk.format("POST", "/cases/new/", {
      ["Cookie"] = cookie, ["Content-Type"] = "application/x-www-form-urlencoded",
      ["Accept-Language"] = "zh-hans"}, body)
  end
  return wrk.format("GET", "/cases/new/", {["Cookie"] = cookie, ["Accept-Language"] = "zh-hans"})
end

function response(status, headers, body)
  count_response(status, headers)
  if status == 302 then submitted = submitted + 1 end
  if posting then  -- the next appeal is the next person's
    posting, person = false, person % #cookies + 1
    cookie = cookies[person]
  end
  local t = body and body:match('name="form_token"[^>]-value="([^"]+)"')
  if t then token = t end
  if os.getenv("BENCH_DEBUG") then
    io.write("status " .. status .. " token " .. tostring(t) .. " len " .. tostring(body and #body) .. "\n")
  end
end
