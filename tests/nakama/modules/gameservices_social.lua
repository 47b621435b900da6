--[[
RPCs for tests/nakama/test_notifications.py. The reference server registers the same function in
Python (tests/nakama/rpc_social.py), so the two answer alike:

  gs_notify  sends the caller a notification from the server: the payload is
             {"subject", "content", "code", "persistent"}; answers ""
]]
local nk = require("nakama")

local function notify(context, payload)
  local p = nk.json_decode(payload)
  nk.notification_send(context.user_id, p.subject, p.content, p.code, nil, p.persistent)
  return nil
end

nk.register_rpc(notify, "gs_notify")
