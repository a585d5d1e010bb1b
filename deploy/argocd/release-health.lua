-- Argo CD health check for cutover.dev/Release (resource.customizations.health.cutover.dev_Release).
-- Reads what the operator writes: status.observedGeneration, status.phase and the kstatus
-- conditions Ready, Reconciling and Stalled.
--   Suspended    spec.paused is true (the operator observes and reports, changes nothing)
--   Progressing  no status yet, status older than the spec, or Reconciling=True
--   Degraded     Stalled=True, or phase Failed or Degraded
--   Healthy      Ready=True for the current generation
local hs = {}

local function condition(status, type)
  if status == nil or status.conditions == nil then
    return nil
  end
  for _, c in ipairs(status.conditions) do
    if c.type == type then
      return c
    end
  end
  return nil
end

local function text(c, fallback)
  if c ~= nil and c.message ~= nil and c.message ~= "" then
    return c.message
  end
  if c ~= nil and c.reason ~= nil and c.reason ~= "" then
    return c.reason
  end
  return fallback
end

local spec = obj.spec or {}
local status = obj.status
local generation = (obj.metadata or {}).generation

if spec.paused == true then
  hs.status = "Suspended"
  hs.message = "Paused: Cutover observes and reports but changes nothing in EC2"
  if status ~= nil and status.phase ~= nil then
    hs.message = hs.message .. " (phase " .. status.phase .. ")"
  end
  return hs
end

if status == nil or status.observedGeneration == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to report status"
  return hs
end

if generation ~= nil and status.observedGeneration < generation then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to observe generation " .. generation
  return hs
end

local stalled = condition(status, "Stalled")
if stalled ~= nil and stalled.status == "True" then
  hs.status = "Degraded"
  hs.message = text(stalled, "Stalled")
  return hs
end

if status.phase == "Failed" or status.phase == "Degraded" then
  hs.status = "Degraded"
  hs.message = text(condition(status, "Ready"), "Phase " .. status.phase)
  return hs
end

local reconciling = condition(status, "Reconciling")
if reconciling ~= nil and reconciling.status == "True" then
  hs.status = "Progressing"
  hs.message = text(reconciling, "Reconciling")
  return hs
end

local ready = condition(status, "Ready")
if ready ~= nil and ready.status == "True" then
  hs.status = "Healthy"
  hs.message = text(ready, "Live")
  return hs
end

hs.status = "Progressing"
hs.message = text(ready, "Waiting for the Release to become Ready")
return hs
