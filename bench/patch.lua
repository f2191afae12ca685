-- wrk script: a PATCH mix on open tasks, as department staff and leaders
-- send it — half progress updates, half notes. Usage:
--   BENCH_TOKEN=… BENCH_IDS=12,57,903 wrk -t2 -c16 -d10s -s bench/patch.lua http://127.0.0.1:PORT
local ids = {}
local token = os.getenv("BENCH_TOKEN") or ""
local n = 0

function init(args)
  for id in string.gmatch(os.getenv("BENCH_IDS") or "", "%d+") do
    ids[#ids + 1] = id
  end
  math.randomseed(os.time() + #ids)
end

function request()
  n = n + 1
  local id = ids[math.random(#ids)]
  local body
  if n % 2 == 0 then
    body = '{"progress": ' .. (10 + (n % 9) * 10) .. '}'
  else
    body = '{"note": "Đã đôn đốc, đơn vị đang triển khai"}'
  end
  return wrk.format("PATCH", "/api/v1/tasks/" .. id, {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. token,
  }, body)
end
