-- onex-lsp for Neovim: setup(), the buffer keymaps and the :Onex commands.
-- Needs Neovim 0.11 or newer (vim.lsp.config / vim.lsp.enable). See :help onex_lsp.
local cfg = require('onex_lsp.config')

local M = {}

M.kinds = {
  generate = 'source.onex.generateNode',
  insert_pattern = 'refactor.onex.insertPattern',
  more_patterns = 'refactor.onex.insertPattern.otherVerbs',
  quickfix = 'quickfix',
}

M.default_keymaps = {
  generate = '<leader>og',
  insert_pattern = '<leader>op',
  quickfix = '<leader>oq',
  lens = '<leader>ol',
}

local KEYMAP_DESC = {
  generate = 'ONEX: generate the node package from this contract',
  insert_pattern = 'ONEX: replace this handler with an alternative pattern block',
  quickfix = 'ONEX: quick fix (add a missing handler)',
  lens = 'ONEX: run the contract CodeLens (generate / open / update the node)',
}

-- The editor command the server's "More patterns (other verbs)…" entry runs (VS Code's
-- name): open the code-action menu for one kind. The client handles it (config.default()).
M.code_action_menu_command = 'editor.action.codeAction'

local state = {
  keymaps = nil, -- nil: g:onex_lsp_keymaps or the defaults; false: none; table: overrides
}

local function notify(message, level)
  vim.notify('onex_lsp: ' .. message, level or vim.log.levels.INFO)
end

local function supported()
  return vim.fn.has('nvim-0.11') == 1
end

local function version_text()
  local v = vim.version()
  return ('%d.%d.%d'):format(v.major, v.minor, v.patch)
end

--- setup({ python?, cmd?, cmd_env?, settings?, keymaps?, enable?, lsp? })
---   python    an interpreter with onex-lsp installed: cmd = { python, '-m', 'onex_lsp', 'serve' }
---   cmd       the whole server command (wins over python)
---   cmd_env   extra environment for the server (and for :Onex stats, :checkhealth)
---   settings  the `onex` settings, { onex = { ... } } or just { ... }
---   keymaps   false (none), or a table overriding default_keymaps (a value false drops one)
---   enable    call vim.lsp.enable('onex_lsp') (default true)
---   lsp       any other vim.lsp.config fields (root_markers, filetypes, capabilities, ...)
--- @param opts? table
--- @return boolean ok false on Neovim older than 0.11
function M.setup(opts)
  opts = opts or {}
  if not supported() then
    notify(
      ('needs Neovim 0.11 or newer (this is %s); the plugin stays inactive. '
        .. 'See :help onex_lsp-requirements.'):format(version_text()),
      vim.log.levels.ERROR
    )
    return false
  end
  vim.validate('opts.python', opts.python, 'string', true)
  vim.validate('opts.cmd', opts.cmd, { 'table', 'function' }, true)
  vim.validate('opts.cmd_env', opts.cmd_env, 'table', true)
  vim.validate('opts.settings', opts.settings, 'table', true)
  vim.validate('opts.keymaps', opts.keymaps, { 'table', 'boolean' }, true)
  vim.validate('opts.lsp', opts.lsp, 'table', true)

  if opts.keymaps ~= nil then
    state.keymaps = opts.keymaps
  end
  local overrides = vim.deepcopy(opts.lsp or {})
  if opts.cmd then
    overrides.cmd = opts.cmd
  elseif opts.python then
    overrides.cmd = cfg.cmd_for_python(opts.python)
  end
  if opts.cmd_env then
    overrides.cmd_env = opts.cmd_env
  end
  if opts.settings then
    local settings = opts.settings
    if settings.onex == nil then
      settings = { onex = settings }
    end
    overrides.settings = vim.deepcopy(settings)
  end
  vim.lsp.config(cfg.name, overrides)
  if vim.g.loaded_onex_lsp == nil then
    vim.cmd.runtime('plugin/onex_lsp.lua') -- the rtp entry was added after startup
  end
  if opts.enable ~= false then
    vim.lsp.enable(cfg.name)
  end
  return true
end

--- The keymaps in effect: setup({ keymaps }), else g:onex_lsp_keymaps, else the defaults.
--- @return table<string, string|false>
function M.keymaps()
  local chosen = state.keymaps
  if chosen == nil then
    chosen = vim.g.onex_lsp_keymaps
  end
  if chosen == false or chosen == 0 then
    return {}
  end
  if type(chosen) ~= 'table' then
    return vim.deepcopy(M.default_keymaps)
  end
  return vim.tbl_extend('force', M.default_keymaps, chosen)
end

--- Buffer-local keymaps for a buffer the onex_lsp client attached to (from LspAttach).
--- @param _ vim.lsp.Client
--- @param bufnr integer
function M.on_attach(client, bufnr)
  require('onex_lsp.lens').attach(client, bufnr)
  local set = {}
  for action, lhs in pairs(M.keymaps()) do
    if type(lhs) == 'string' and lhs ~= '' and M[action] then
      vim.keymap.set('n', lhs, function()
        M[action]()
      end, { buffer = bufnr, desc = KEYMAP_DESC[action] })
      table.insert(set, lhs)
    end
  end
  vim.b[bufnr].onex_lsp_keymaps = set
end

--- Remove the keymaps when the last onex_lsp client leaves the buffer (from LspDetach).
--- @param client vim.lsp.Client
--- @param bufnr integer
function M.on_detach(client, bufnr)
  for _, other in ipairs(vim.lsp.get_clients({ name = cfg.name, bufnr = bufnr })) do
    if other.id ~= client.id then
      return
    end
  end
  for _, lhs in ipairs(vim.b[bufnr].onex_lsp_keymaps or {}) do
    pcall(vim.keymap.del, 'n', lhs, { buffer = bufnr })
  end
  vim.b[bufnr].onex_lsp_keymaps = nil
  require('onex_lsp.lens').detach(bufnr)
  require('onex_lsp.status').forget(client.id)
end

-- Only the server's own actions: those it follows carry a suggestion id; the quick fixes
-- that are plain edits name the server's diagnostics; one entry opens the menu of other
-- verbs' blocks.
local function from_onex(action)
  if type(action.data) == 'table' and action.data.suggestionId ~= nil then
    return true
  end
  local diagnostics = action.diagnostics or {}
  if #diagnostics > 0 and vim.iter(diagnostics):all(function(d)
    return d.source == 'onex-lsp'
  end) then
    return true
  end
  return type(action.command) == 'table' and action.command.command == M.code_action_menu_command
end

local function code_action(kind, diagnostics)
  vim.lsp.buf.code_action({
    context = { only = { kind }, diagnostics = diagnostics },
    filter = from_onex,
    apply = true,
  })
end

--- Generate the node package from the contract in the current buffer.
function M.generate()
  code_action(M.kinds.generate, {})
end

--- Replace the handler of the current handler file with an alternative pattern block.
function M.insert_pattern()
  code_action(M.kinds.insert_pattern, nil)
end

--- The blocks of other verb families for the current handler (a create handler's delete
--- block): the menu the "More patterns (other verbs)…" entry opens.
function M.more_patterns()
  vim.lsp.buf.code_action({ context = { only = { M.kinds.more_patterns } }, filter = from_onex })
end

--- The client side of the server's `editor.action.codeAction` command: open the menu of
--- the kind it names (only the other verbs' kind is honoured).
--- @param command lsp.Command
function M.code_action_menu(command)
  local args = type(command.arguments) == 'table' and command.arguments[1] or nil
  if type(args) == 'table' and args.kind == M.kinds.more_patterns then
    vim.schedule(M.more_patterns)
  end
end

--- Run the contract CodeLens: Generate node, or Open node / Update node.
function M.lens()
  require('onex_lsp.lens').run()
end

--- For a statusline: `ONEX ready`, `ONEX loading model`, … ('' without a server).
--- @param bufnr? integer
--- @return string
function M.status(bufnr)
  return require('onex_lsp.status').statusline(bufnr)
end

--- Quick fix: add a missing handler. Uses the ONEX diagnostics on the cursor line, else
--- all of the buffer's (a menu when there are several).
function M.quickfix()
  local bufnr = vim.api.nvim_get_current_buf()
  local lnum = vim.api.nvim_win_get_cursor(0)[1] - 1
  local found = {}
  for _, client in ipairs(vim.lsp.get_clients({ name = cfg.name, bufnr = bufnr })) do
    local namespace = vim.lsp.diagnostic.get_namespace(client.id)
    local here = vim.diagnostic.get(bufnr, { namespace = namespace, lnum = lnum })
    if #here == 0 then
      here = vim.diagnostic.get(bufnr, { namespace = namespace })
    end
    vim.list_extend(found, here)
  end
  local diagnostics = {}
  for _, diagnostic in ipairs(found) do
    local original = diagnostic.user_data and diagnostic.user_data.lsp
    if original then
      table.insert(diagnostics, original)
    end
  end
  code_action(M.kinds.quickfix, diagnostics)
end

-- Scratch buffers ------------------------------------------------------------------------

local function find_buffer(name)
  for _, buf in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_valid(buf) and vim.api.nvim_buf_get_name(buf) == name then
      return buf
    end
  end
  return nil
end

--- Show lines in a scratch buffer (reused by name) in a split; q closes it.
--- @param name string
--- @param lines string[]
--- @param filetype string
--- @return integer bufnr
function M.show_scratch(name, lines, filetype)
  local buf = find_buffer(name)
  if not buf then
    buf = vim.api.nvim_create_buf(false, true)
    vim.api.nvim_buf_set_name(buf, name)
  end
  vim.bo[buf].buftype = 'nofile'
  vim.bo[buf].bufhidden = 'hide'
  vim.bo[buf].swapfile = false
  vim.bo[buf].modifiable = true
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, lines)
  vim.bo[buf].modifiable = false
  vim.bo[buf].modified = false
  vim.bo[buf].filetype = filetype
  vim.keymap.set('n', 'q', '<cmd>close<cr>', { buffer = buf, nowait = true, desc = 'close' })
  local win = vim.fn.bufwinid(buf)
  if win == -1 then
    vim.cmd('botright split')
    win = vim.api.nvim_get_current_win()
    vim.api.nvim_win_set_buf(win, buf)
    local height = math.min(#lines + 1, math.max(8, math.floor(vim.o.lines / 3)))
    vim.api.nvim_win_set_height(win, height)
  end
  return buf
end

local function table_lines(rows, indent)
  local widths = {}
  for _, row in ipairs(rows) do
    for i = 1, #row - 1 do
      widths[i] = math.max(widths[i] or 0, vim.fn.strdisplaywidth(row[i]))
    end
  end
  local lines = {}
  for _, row in ipairs(rows) do
    local cells = {}
    for i, cell in ipairs(row) do
      if i < #row then
        cell = cell .. string.rep(' ', widths[i] - vim.fn.strdisplaywidth(cell))
      end
      table.insert(cells, cell)
    end
    table.insert(lines, indent .. vim.trim(table.concat(cells, '  ')))
  end
  return lines
end

local function confidence(value)
  return type(value) == 'number' and ('%.2f'):format(value) or tostring(value)
end

--- The lines :Onex patterns shows for an onex.showDetectedPatterns result.
--- @param result table
--- @param contract string
--- @return string[]
function M.format_patterns(result, contract)
  local lines = {
    ('ONEX detected patterns: %s (%s)'):format(tostring(result.node), tostring(result.kind)),
    'contract: ' .. contract,
    '',
    'Patterns',
  }
  local patterns = result.patterns or {}
  if #patterns == 0 then
    table.insert(lines, '  none detected: handlers will be stubs')
  else
    local rows = { { 'PATTERN', 'CONFIDENCE', 'OPERATIONS', 'REASON' } }
    for _, p in ipairs(patterns) do
      table.insert(rows, {
        tostring(p.pattern),
        confidence(p.confidence),
        table.concat(p.operations or {}, ', '),
        tostring(p.reason or ''),
      })
    end
    vim.list_extend(lines, table_lines(rows, '  '))
  end
  vim.list_extend(lines, { '', 'Operations' })
  local operations = result.operations or {}
  if #operations == 0 then
    table.insert(lines, '  none')
  else
    local rows = { { 'OPERATION', 'BLOCK', 'CONFIDENCE', 'REASON' } }
    for _, o in ipairs(operations) do
      table.insert(rows, {
        tostring(o.operation),
        tostring(o.block),
        confidence(o.confidence),
        tostring(o.reason or ''),
      })
    end
    vim.list_extend(lines, table_lines(rows, '  '))
  end
  return lines
end

local function onex_client(bufnr)
  local clients = vim.lsp.get_clients({ name = cfg.name, bufnr = bufnr })
  if #clients == 0 then
    clients = vim.lsp.get_clients({ name = cfg.name })
  end
  return clients[1]
end

--- :Onex library: the running server's pattern library in a picker (vim.ui.select).
--- @param on_items? fun(items: table[], library: table) instead of the picker (tests)
function M.library(on_items)
  local client = onex_client(vim.api.nvim_get_current_buf())
  if not client then
    notify('the language server is not running (:checkhealth onex_lsp)', vim.log.levels.WARN)
    return
  end
  require('onex_lsp.library').open(client, on_items)
end

--- :Onex patterns: what the server detects in the current contract (or in the contract of
--- the node package the current Python file belongs to), in a scratch buffer.
--- @param bufnr? integer
function M.patterns(bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  local contract = cfg.contract_path(bufnr)
  if not contract then
    notify('this buffer is not an ONEX contract or a file of a node package', vim.log.levels.WARN)
    return
  end
  local client = onex_client(bufnr)
  if not client then
    notify('the language server is not running (:checkhealth onex_lsp)', vim.log.levels.WARN)
    return
  end
  local params = {
    command = 'onex.showDetectedPatterns',
    arguments = { vim.uri_from_fname(contract) },
  }
  client:request('workspace/executeCommand', params, function(err, result)
    if err then
      notify('onex.showDetectedPatterns failed: ' .. tostring(err.message), vim.log.levels.ERROR)
      return
    end
    if type(result) ~= 'table' then
      notify('onex.showDetectedPatterns returned nothing', vim.log.levels.WARN)
      return
    end
    if result.error then
      notify(tostring(result.error) .. ': ' .. contract, vim.log.levels.WARN)
      return
    end
    M.show_scratch('onex://patterns', M.format_patterns(result, contract), 'onex_patterns')
  end, bufnr)
end

--- :Onex stats: `onex-lsp patterns stats` for the server's data directory and embedder.
function M.stats()
  local config, client = cfg.current(vim.api.nvim_get_current_buf())
  local cli = cfg.cli(config.cmd)
  if not cli then
    notify(
      'cannot tell how to run onex-lsp from the server command; set setup({ python = ... })',
      vim.log.levels.ERROR
    )
    return
  end
  local onex = cfg.onex_settings(config, client)
  local root = (client and client.root_dir) or vim.uv.cwd()
  local args = vim.deepcopy(cli)
  local embedder = onex.embedder or require('onex_lsp.defaults').embedder
  vim.list_extend(args, { 'patterns', '--embedder', embedder })
  local data_dir = cfg.store_path(onex, root)
  if data_dir then
    vim.list_extend(args, { '--data-dir', data_dir })
  end
  local store = type(onex.store) == 'table' and onex.store or {}
  if type(store.url) == 'string' and store.url ~= '' then
    vim.list_extend(args, { '--store-url', store.url })
  end
  table.insert(args, 'stats')
  notify('collecting pattern stats…')
  local options = { text = true, env = config.cmd_env, cwd = root }
  local ok, err = pcall(vim.system, args, options, function(done)
    vim.schedule(function()
      if done.code ~= 0 then
        local command = table.concat(args, ' ')
        notify(
          ('`%s` failed (exit %d): %s'):format(command, done.code, done.stderr or ''),
          vim.log.levels.ERROR
        )
        return
      end
      local lines = vim.split(done.stdout or '', '\n', { trimempty = true })
      local notes = vim.split(done.stderr or '', '\n', { trimempty = true })
      if #notes > 0 then
        table.insert(lines, '')
        vim.list_extend(lines, notes)
      end
      M.show_scratch('onex://stats', lines, 'onex_stats')
    end)
  end)
  if not ok then
    notify(('cannot run %s: %s'):format(args[1], tostring(err)), vim.log.levels.ERROR)
  end
end

--- :Onex toggle-learning [on|off]: switch onex.learning for the running servers (through
--- workspace/didChangeConfiguration) and for servers started later.
--- @param value? boolean|string
--- @return boolean? learning the new state
function M.toggle_learning(value)
  local config, client = cfg.current(vim.api.nvim_get_current_buf())
  local current = cfg.onex_settings(config, client).learning
  if current == nil then
    current = true
  end
  local new
  if value == true or value == 'on' or value == 'true' then
    new = true
  elseif value == false or value == 'off' or value == 'false' then
    new = false
  elseif value == nil or value == '' then
    new = not current
  else
    notify('toggle-learning takes on or off, not ' .. tostring(value), vim.log.levels.ERROR)
    return nil
  end
  vim.lsp.config(cfg.name, { settings = { onex = { learning = new } } })
  for _, running in ipairs(vim.lsp.get_clients({ name = cfg.name })) do
    running.settings = running.settings or {}
    if type(running.settings.onex) ~= 'table' then
      running.settings.onex = {}
    end
    running.settings.onex.learning = new
    running:notify('workspace/didChangeConfiguration', { settings = running.settings })
  end
  notify('learning ' .. (new and 'on' or 'off'))
  return new
end

--- :Onex restart: stop the onex_lsp clients and start them again for their buffers.
function M.restart()
  if not vim.lsp.is_enabled(cfg.name) then
    notify(
      "not enabled: call require('onex_lsp').setup() or vim.lsp.enable('onex_lsp')",
      vim.log.levels.WARN
    )
    return
  end
  local clients = vim.lsp.get_clients({ name = cfg.name })
  local buffers = {}
  for _, client in ipairs(clients) do
    for bufnr in pairs(client.attached_buffers) do
      buffers[bufnr] = true
    end
    client:stop()
  end
  local function start_again()
    for bufnr in pairs(buffers) do
      if vim.api.nvim_buf_is_valid(bufnr) and vim.api.nvim_buf_is_loaded(bufnr) then
        pcall(vim.api.nvim_exec_autocmds, 'FileType', { group = 'nvim.lsp.enable', buffer = bufnr })
      end
    end
    if next(buffers) == nil then
      local bufnr = vim.api.nvim_get_current_buf()
      pcall(vim.api.nvim_exec_autocmds, 'FileType', { group = 'nvim.lsp.enable', buffer = bufnr })
    end
    notify('restarted')
  end
  if #clients == 0 then
    start_again()
    return
  end
  local timer = assert(vim.uv.new_timer())
  local waited = 0
  timer:start(
    100,
    100,
    vim.schedule_wrap(function()
      if timer:is_closing() then
        return
      end
      waited = waited + 100
      local alive = vim.tbl_filter(function(client)
        return not client:is_stopped()
      end, clients)
      if #alive > 0 and waited < 5000 then
        return
      end
      for _, client in ipairs(alive) do
        client:stop(true)
      end
      timer:stop()
      timer:close()
      start_again()
    end)
  )
end

local SUBCOMMANDS = {
  generate = function()
    M.generate()
  end,
  ['insert-pattern'] = function()
    M.insert_pattern()
  end,
  ['more-patterns'] = function()
    M.more_patterns()
  end,
  lens = function()
    M.lens()
  end,
  status = function()
    vim.notify(table.concat(require('onex_lsp.status').lines(), '\n'))
  end,
  quickfix = function()
    M.quickfix()
  end,
  patterns = function()
    M.patterns()
  end,
  stats = function()
    M.stats()
  end,
  ['toggle-learning'] = function(arg)
    M.toggle_learning(arg)
  end,
  restart = function()
    M.restart()
  end,
  install = function()
    require('onex_lsp.install').run()
  end,
  library = function()
    M.library()
  end,
  health = function()
    vim.cmd('checkhealth onex_lsp')
  end,
}

--- :Onex {subcommand} [arg]
--- @param args table the user command's arguments (fargs)
function M.command(args)
  if not supported() then
    notify(('needs Neovim 0.11 or newer (this is %s)'):format(version_text()), vim.log.levels.ERROR)
    return
  end
  local name = args.fargs[1]
  local run = name and SUBCOMMANDS[name]
  if not run then
    notify(
      ('unknown subcommand %s; one of: %s'):format(
        tostring(name),
        table.concat(M.complete('', 'Onex ', 5), ', ')
      ),
      vim.log.levels.ERROR
    )
    return
  end
  run(args.fargs[2])
end

--- Completion of :Onex.
function M.complete(arglead, cmdline, _)
  local words = vim.split(cmdline, '%s+', { trimempty = true })
  if #words > 2 or (#words == 2 and arglead == '') then
    if words[2] == 'toggle-learning' then
      return vim.tbl_filter(function(v)
        return v:find(arglead, 1, true) == 1
      end, { 'on', 'off' })
    end
    return {}
  end
  local names = vim.tbl_keys(SUBCOMMANDS)
  table.sort(names)
  return vim.tbl_filter(function(v)
    return v:find(arglead, 1, true) == 1
  end, names)
end

return M
