-- The contract CodeLens ("Generate node", or "Open node <package>" and "Update node — …"
-- when the package exists): shown on contract buffers, run with :Onex lens or <leader>ol.
-- The server refreshes them itself after generating (workspace/codeLens/refresh).
local cfg = require('onex_lsp.config')

local M = {}

local group = vim.api.nvim_create_augroup('onex_lsp_lens', { clear = true })

local function is_contract(bufnr)
  local name = vim.api.nvim_buf_get_name(bufnr)
  return name ~= '' and cfg.contract_path(bufnr) == name
end

--- Show the lenses on a contract buffer the client attached to, and keep them current
--- (entering the buffer, leaving insert mode, writing).
--- @param client vim.lsp.Client
--- @param bufnr integer
function M.attach(client, bufnr)
  if not is_contract(bufnr) or not client:supports_method('textDocument/codeLens') then
    return
  end
  vim.api.nvim_clear_autocmds({ group = group, buffer = bufnr })
  vim.api.nvim_create_autocmd({ 'BufEnter', 'InsertLeave', 'BufWritePost' }, {
    group = group,
    buffer = bufnr,
    desc = 'onex-lsp: refresh the contract CodeLens',
    callback = function()
      vim.lsp.codelens.refresh({ bufnr = bufnr })
    end,
  })
  vim.lsp.codelens.refresh({ bufnr = bufnr })
end

--- The client side of `workspace/codeLens/refresh` (the server sends it after writing a
--- package): re-request the lenses of the client's contract buffers.
--- @param ctx lsp.HandlerContext
function M.on_refresh(_, _, ctx)
  local client = vim.lsp.get_client_by_id(ctx.client_id)
  for bufnr in pairs(client and client.attached_buffers or {}) do
    if vim.api.nvim_buf_is_loaded(bufnr) and is_contract(bufnr) then
      vim.lsp.codelens.refresh({ bufnr = bufnr })
    end
  end
  return vim.NIL
end

--- Stop refreshing a buffer's lenses (from LspDetach of the last onex_lsp client).
--- @param bufnr integer
function M.detach(bufnr)
  vim.api.nvim_clear_autocmds({ group = group, buffer = bufnr })
  pcall(vim.lsp.codelens.clear, nil, bufnr)
end

local function run_lens(bufnr, lens)
  local client = vim.lsp.get_client_by_id(lens.client_id)
  if client then
    client:exec_cmd(lens.command, { bufnr = bufnr })
  end
end

--- :Onex lens: run the contract's lens (a menu when there are several: Open / Update),
--- wherever the cursor is in the buffer.
--- @param bufnr? integer
function M.run(bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  local found = {}
  local client = vim.lsp.get_clients({ name = cfg.name, bufnr = bufnr })[1]
  for _, lens in ipairs(client and vim.lsp.codelens.get(bufnr) or {}) do
    -- the buffer's lenses from every server: only ours run here
    if lens.command and tostring(lens.command.command):match('^onex%.') then
      table.insert(found, vim.tbl_extend('force', lens, { client_id = client.id }))
    end
  end
  if #found == 0 then
    vim.notify('onex_lsp: no CodeLens here (only ONEX contracts have one)', vim.log.levels.WARN)
  elseif #found == 1 then
    run_lens(bufnr, found[1])
  else
    vim.ui.select(found, {
      prompt = 'ONEX',
      format_item = function(lens)
        return lens.command.title
      end,
    }, function(lens)
      if lens then
        run_lens(bufnr, lens)
      end
    end)
  end
end

return M
