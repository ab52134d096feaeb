-- Runs an Argo CD health script the way Argo CD does: the resource as the global `obj`, only
-- the libraries Argo CD's sandbox opens (no io, os, require), and the returned table printed.
-- usage: lua5.4 argo-health-driver.lua HEALTH_SCRIPT OBJECT_FILE
-- OBJECT_FILE is a Lua chunk that returns the resource as a table (written by ArgoHealthTest).
local script, objectFile = arg[1], arg[2]
local obj = assert(dofile(objectFile), "the object file returned nothing")
local sandbox = {
  obj = obj,
  assert = assert, error = error, ipairs = ipairs, next = next, pairs = pairs, pcall = pcall,
  select = select, tonumber = tonumber, tostring = tostring, type = type, unpack = table.unpack,
  string = string, table = table, math = math,
}
local chunk = assert(loadfile(script, "t", sandbox))
local hs = chunk()
if type(hs) ~= "table" then
  error("the health script returned " .. type(hs) .. ", not a table")
end
for k in pairs(hs) do
  if k ~= "status" and k ~= "message" then
    error("the health script set an unknown field hs." .. tostring(k))
  end
end
io.write("status=", tostring(hs.status), "\n", "message=", tostring(hs.message), "\n")
