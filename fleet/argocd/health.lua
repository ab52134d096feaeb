-- Argo CD resource health check for UpdatePlan (updates.microshift.io/v1alpha1).
--
-- Installed as resource.customizations.health.updates.microshift.io_UpdatePlan in argocd-cm
-- (see argocd-cm-patch.yaml next to this file, which must carry this script unchanged).
-- Argo CD runs it with gopher-lua (Lua 5.1) in a sandbox: only the base, string, table and math
-- libraries, so no io, os or require here.
--
--   no status yet                    -> Progressing "waiting for status ..."
--   Pending, Preflight ... Verifying,
--   RollingBack (any non-terminal)   -> Progressing "<phase>: <status.message>"
--   Succeeded                        -> Healthy     status.message
--   Failed, RolledBack               -> Degraded    status.message (a dry run that found
--                                                   problems ends Failed: Degraded as well)
local hs = {}
local st = obj.status

if st == nil or st.phase == nil or st.phase == "" then
  hs.status = "Progressing"
  hs.message = "waiting for status: the operator has not reconciled this UpdatePlan yet"
  return hs
end

local phase = st.phase
local message = st.message
if message == nil then
  message = ""
end

-- the condition of that type whose status is "True", or nil
local function trueCondition(conditionType)
  if st.conditions == nil then
    return nil
  end
  for _, c in ipairs(st.conditions) do
    if c.type == conditionType and c.status == "True" then
      return c
    end
  end
  return nil
end

if phase == "Succeeded" then
  hs.status = "Healthy"
  hs.message = message
  if hs.message == "" then
    hs.message = "Succeeded"
  end
  return hs
end

if phase == "Failed" or phase == "RolledBack" then
  hs.status = "Degraded"
  hs.message = message
  if hs.message == "" then
    hs.message = phase
  end
  return hs
end

-- every other phase is on its way (Pending waits for its turn or the maintenance window)
hs.status = "Progressing"
local queued = trueCondition("Queued")
if phase == "Pending" and queued ~= nil then
  local why = queued.message
  if why == nil or why == "" then
    why = message
  end
  hs.message = "Pending (queued, " .. tostring(queued.reason) .. "): " .. why
elseif message ~= "" then
  hs.message = phase .. ": " .. message
else
  hs.message = phase
end
return hs
