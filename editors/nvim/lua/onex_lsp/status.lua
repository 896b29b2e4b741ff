-- The server's typed `onex/status` notification (server/onex_lsp/lsp/status.py):
--   { state = 'starting' | 'loadingModel' | 'generating' | 'learning' | 'ready',
--     model = '<embedder id>', store = '<data directory, index>', learning = true|false }
-- kept per client, for a statusline (require('onex_lsp').status()) and :Onex status.
local M = {}

local LABELS = {
  starting = 'starting',
  loadingModel = 'loading model',
  generating = 'generating',
  learning = 'learning',
  ready = 'ready',
}

local latest = {} -- client id -> the last onex/status it sent

--- The handler of `onex/status` (config.default() registers it for the client); anything
--- malformed is ignored.
--- @param result any
--- @param ctx lsp.HandlerContext
function M.handler(_, result, ctx)
  if type(result) ~= 'table' or LABELS[result.state] == nil then
    return
  end
  latest[ctx.client_id] = {
    state = result.state,
    model = type(result.model) == 'string' and result.model or '',
    store = type(result.store) == 'string' and result.store or '',
    learning = result.learning == true,
  }
  vim.api.nvim_exec_autocmds('User', { pattern = 'OnexStatus', modeline = false })
end

--- Forget a client's status when it stops (from LspDetach of its last buffer).
--- @param client_id integer
function M.forget(client_id)
  latest[client_id] = nil
end

local function running_client(bufnr)
  local clients = vim.lsp.get_clients({ name = 'onex_lsp', bufnr = bufnr })
  if #clients == 0 then
    clients = vim.lsp.get_clients({ name = 'onex_lsp' })
  end
  for _, client in ipairs(clients) do
    if latest[client.id] then
      return client, latest[client.id]
    end
  end
  return clients[1], nil
end

--- The status of the server for a buffer: the last `onex/status`, or nil.
--- @param bufnr? integer
--- @return table? status, vim.lsp.Client? client
function M.current(bufnr)
  local client, status = running_client(bufnr or vim.api.nvim_get_current_buf())
  return status, client
end

--- A short statusline text: `ONEX ready`, `ONEX loading model`, `ONEX ready (learning off)`;
--- '' when no onex_lsp client runs, `ONEX starting` until the first notification.
--- @param bufnr? integer
--- @return string
function M.statusline(bufnr)
  local status, client = M.current(bufnr)
  if not client then
    return ''
  end
  if not status then
    return 'ONEX starting'
  end
  local text = 'ONEX ' .. LABELS[status.state]
  if not status.learning then
    text = text .. ' (learning off)'
  end
  return text
end

--- The lines :Onex status shows.
--- @param bufnr? integer
--- @return string[]
function M.lines(bufnr)
  local status, client = M.current(bufnr)
  if not client then
    return { 'onex_lsp: the language server is not running (:checkhealth onex_lsp)' }
  end
  if not status then
    return { ('onex_lsp: client %d is starting (no status from the server yet)'):format(client.id) }
  end
  return {
    ('onex_lsp: %s'):format(LABELS[status.state]),
    '  model:    ' .. status.model,
    '  store:    ' .. status.store,
    '  learning: ' .. (status.learning and 'on' or 'off'),
  }
end

return M
