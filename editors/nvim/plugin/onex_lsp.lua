-- onex-lsp: the :Onex command, <Plug> mappings and the keymaps on LspAttach.
-- Loads nothing else until used and never starts the server by itself: that is
-- require('onex_lsp').setup() or vim.lsp.enable('onex_lsp'). See :help onex_lsp.
if vim.g.loaded_onex_lsp ~= nil then
  return
end
vim.g.loaded_onex_lsp = 1

if vim.fn.has('nvim-0.11') == 0 then
  -- Too old: setup() and :checkhealth say so; :Onex too, where user commands exist.
  if vim.api.nvim_create_user_command then
    vim.api.nvim_create_user_command('Onex', function()
      require('onex_lsp').command({ fargs = {} })
    end, { nargs = '*', desc = 'onex-lsp (needs Neovim 0.11+)' })
  end
  return
end

vim.api.nvim_create_user_command('Onex', function(args)
  require('onex_lsp').command(args)
end, {
  nargs = '+',
  desc = 'onex-lsp: generate | insert-pattern | more-patterns | quickfix | lens | status '
    .. '| patterns | stats | toggle-learning | library | restart | install | health',
  complete = function(arglead, cmdline, pos)
    return require('onex_lsp').complete(arglead, cmdline, pos)
  end,
})

local plugs = {
  ['<Plug>(onex-generate)'] = { 'generate', 'ONEX: generate the node package' },
  ['<Plug>(onex-insert-pattern)'] = { 'insert_pattern', 'ONEX: insert an alternative pattern' },
  ['<Plug>(onex-quickfix)'] = { 'quickfix', 'ONEX: quick fix' },
  ['<Plug>(onex-patterns)'] = { 'patterns', 'ONEX: show the detected patterns' },
  ['<Plug>(onex-lens)'] = { 'lens', 'ONEX: run the contract CodeLens' },
  ['<Plug>(onex-more-patterns)'] = { 'more_patterns', 'ONEX: blocks of other verbs' },
}
for lhs, target in pairs(plugs) do
  vim.keymap.set('n', lhs, function()
    require('onex_lsp')[target[1]]()
  end, { desc = target[2] })
end

local group = vim.api.nvim_create_augroup('onex_lsp', { clear = true })

vim.api.nvim_create_autocmd('LspAttach', {
  group = group,
  desc = 'onex-lsp: buffer keymaps',
  callback = function(args)
    local client = vim.lsp.get_client_by_id(args.data.client_id)
    if client and client.name == 'onex_lsp' then
      require('onex_lsp').on_attach(client, args.buf)
    end
  end,
})

vim.api.nvim_create_autocmd('LspDetach', {
  group = group,
  desc = 'onex-lsp: drop the buffer keymaps',
  callback = function(args)
    local client = vim.lsp.get_client_by_id(args.data.client_id)
    if client and client.name == 'onex_lsp' then
      require('onex_lsp').on_detach(client, args.buf)
    end
  end,
})

-- A YAML file that became a contract (node_type: and contract_version: added) gets the
-- client on its next write, when the server is enabled.
vim.api.nvim_create_autocmd('BufWritePost', {
  group = group,
  pattern = { '*.yaml', '*.yml' },
  desc = 'onex-lsp: attach to new contracts',
  callback = function(args)
    if not vim.lsp.is_enabled('onex_lsp') then
      return
    end
    if #vim.lsp.get_clients({ name = 'onex_lsp', bufnr = args.buf }) > 0 then
      return
    end
    if require('onex_lsp.config').is_onex_buffer(args.buf) then
      local event = { group = 'nvim.lsp.enable', buffer = args.buf }
      pcall(vim.api.nvim_exec_autocmds, 'FileType', event)
    end
  end,
})
