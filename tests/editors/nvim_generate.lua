-- Drive a real headless Neovim: start onex-lsp, request the generate-node source
-- action on the open contract, and let Neovim apply it (resolve, edit or command).
-- Writes "ok" or "fail: reason" to $ONEX_RESULT and quits.
local python = os.getenv("ONEX_SERVER_PYTHON")
local result_file = os.getenv("ONEX_RESULT")
local expected = tonumber(os.getenv("ONEX_EXPECTED_FILES"))
local package_dir = os.getenv("ONEX_PACKAGE_DIR")
local root = vim.fn.getcwd()

local function finish(message)
  local f = assert(io.open(result_file, "w"))
  f:write(message .. "\n")
  f:close()
  vim.cmd(message == "ok" and "qa!" or "cquit 1")
end

local ok, err = pcall(function()
  local client_id = vim.lsp.start({
    name = "onex_lsp",
    cmd = { python, "-m", "onex_lsp", "serve" },
    root_dir = root,
  })
  if not client_id then
    return finish("fail: the client did not start")
  end
  local ready = vim.wait(20000, function()
    local client = vim.lsp.get_client_by_id(client_id)
    return client ~= nil and client.initialized
  end, 50)
  if not ready then
    return finish("fail: the server did not initialize")
  end
  vim.lsp.buf.code_action({
    context = { only = { "source.onex.generateNode" }, diagnostics = {} },
    apply = true,
  })
  local written = vim.wait(30000, function()
    local files = vim.fn.globpath(package_dir, "**/*.py", false, true)
    return #files >= expected
  end, 100)
  if not written then
    return finish("fail: the package was not written")
  end
  finish("ok")
end)
if not ok then
  finish("fail: " .. tostring(err))
end
