-- Drives headless Neovim with the onex-lsp plugin (loaded by minimal_init.lua) through one
-- scenario ($ONEX_SCENARIO) the way a user would, then writes a JSON report to
-- $ONEX_RESULT ({ status = "ok" | "fail: ...", ... }) and quits.
local scenario = os.getenv('ONEX_SCENARIO')
local result_file = assert(os.getenv('ONEX_RESULT'))
local report = { scenario = scenario }

local function finish(status)
  report.status = status
  report.messages = vim.split(vim.fn.execute('messages'), '\n', { trimempty = true })
  local f = assert(io.open(result_file, 'w'))
  f:write(vim.json.encode(report))
  f:close()
  vim.cmd(status == 'ok' and 'qa!' or 'cquit! 1')
end

local function fail(message)
  error({ onex_fail = message })
end

local function wait(ms, what, predicate)
  if not vim.wait(ms, predicate, 50) then
    fail('timed out waiting for ' .. what)
  end
end

local contract_buf = vim.api.nvim_get_current_buf()

local function onex_client(bufnr)
  return vim.lsp.get_clients({ name = 'onex_lsp', bufnr = bufnr })[1]
end

local function wait_attached()
  wait(30000, 'the onex_lsp client to attach and initialize', function()
    local client = onex_client(contract_buf)
    return client ~= nil and client.initialized
  end)
  return onex_client(contract_buf)
end

local function press(keys)
  vim.api.nvim_feedkeys(vim.api.nvim_replace_termcodes(keys, true, false, true), 'mx', false)
end

local function buffer_lines(name)
  for _, buf in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_get_name(buf) == name then
      return vim.api.nvim_buf_get_lines(buf, 0, -1, false)
    end
  end
  return nil
end

local function index_ready(data_dir)
  return #vim.fn.glob(data_dir .. '/index/*/shard/wal', false, true) > 0
end

local scenarios = {}

-- Press <leader>og on the contract: the package is written and node.py is shown.
function scenarios.generate()
  local package_dir = assert(os.getenv('ONEX_PACKAGE_DIR'))
  local expected = tonumber(os.getenv('ONEX_EXPECTED_FILES'))
  wait_attached()
  wait(10000, 'the <leader>og keymap', function()
    return vim.fn.maparg('<leader>og', 'n', false, true).buffer == 1
  end)
  report.keymap = vim.fn.maparg('<leader>og', 'n', false, true).desc
  press('<leader>og')
  wait(60000, 'the package files', function()
    return #vim.fn.globpath(package_dir, '**/*.py', false, true) >= expected
  end)
  wait(20000, 'node.py to be shown (window/showDocument)', function()
    return vim.fs.basename(vim.api.nvim_buf_get_name(0)) == 'node.py'
  end)
  report.shown = vim.api.nvim_buf_get_name(0)
end

-- <leader>og, then edit a generated handler and :write it (the server learns it), then
-- :Onex library: the picker lists the learned block; choosing it opens its origin file.
function scenarios.library()
  scenarios.generate()
  local package_dir = assert(os.getenv('ONEX_PACKAGE_DIR'))
  local handler = package_dir .. '/handlers/handler_create_user.py'
  vim.cmd('edit ' .. vim.fn.fnameescape(handler))
  local handler_buf = vim.api.nvim_get_current_buf()
  wait(30000, 'the client on the handler', function()
    return onex_client(handler_buf) ~= nil
  end)
  local lines = vim.api.nvim_buf_get_lines(handler_buf, 0, -1, false)
  for i, line in ipairs(lines) do
    if line:find('stored = await repository.create(record)', 1, true) then
      table.insert(lines, i, '    record.setdefault("status", "active")')
      break
    end
  end
  vim.api.nvim_buf_set_lines(handler_buf, 0, -1, false, lines)
  vim.cmd('write')
  -- The server answers with the fallback embedder until the default one is loaded (longer
  -- on a busy machine): the picker is about the default embedder's library.
  wait(120000, 'the default embedder loaded (onex/status)', function()
    local status = require('onex_lsp.status').current(handler_buf)
    return status ~= nil and status.model:find('minilm', 1, true) ~= nil
      and status.state ~= 'loadingModel'
  end)
  local items
  wait(60000, 'the learned block in the pattern library', function()
    local answered = false
    require('onex_lsp').library(function(found)
      items = found
      answered = true
    end)
    vim.wait(5000, function()
      return answered
    end, 50)
    return items ~= nil and vim.iter(items):any(function(item)
      return item.kind == 'block' and item.origin == vim.uv.fs_realpath(handler)
    end)
  end)
  report.items = vim.tbl_map(function(item)
    return item.label
  end, items)
  vim.cmd('edit ' .. vim.fn.fnameescape(os.getenv('ONEX_CONTRACT_FILE')))
  vim.ui.select = function(choices, opts, on_choice)
    report.prompt = opts.prompt
    for _, choice in ipairs(choices) do
      if choice.kind == 'block' and choice.origin == vim.uv.fs_realpath(handler) then
        return on_choice(choice)
      end
    end
    on_choice(nil)
  end
  vim.cmd('Onex library')
  wait(10000, 'the origin file to open', function()
    return vim.api.nvim_buf_get_name(0) == vim.uv.fs_realpath(handler)
  end)
  report.opened = vim.api.nvim_buf_get_name(0)
end

-- :checkhealth onex_lsp while the server runs, until the report says $ONEX_HEALTH_EXPECT
-- about the index lock (the server takes it shortly after it initializes).
function scenarios.health()
  local data_dir = assert(os.getenv('ONEX_LSP_DATA_DIR'))
  local expect = assert(os.getenv('ONEX_HEALTH_EXPECT'))
  wait_attached()
  wait(30000, 'the pattern index', function()
    return index_ready(data_dir)
  end)
  local lines = {}
  wait(30000, 'a health report that says: ' .. expect, function()
    vim.cmd('checkhealth onex_lsp')
    lines = vim.api.nvim_buf_get_lines(0, 0, -1, false)
    report.health = lines
    vim.cmd('bwipeout!')
    return table.concat(lines, '\n'):find(expect, 1, true) ~= nil
  end)
end

-- :Onex patterns, :Onex stats, :Onex toggle-learning, :Onex restart.
function scenarios.commands()
  local first = wait_attached()
  vim.cmd('Onex patterns')
  wait(20000, 'the patterns buffer', function()
    local lines = buffer_lines('onex://patterns')
    return lines ~= nil and #lines > 3
  end)
  report.patterns = buffer_lines('onex://patterns')
  vim.cmd('wincmd p')
  vim.cmd('Onex stats')
  wait(60000, 'the stats buffer', function()
    local lines = buffer_lines('onex://stats')
    return lines ~= nil and #lines > 1
  end)
  report.stats = buffer_lines('onex://stats')
  vim.api.nvim_set_current_buf(contract_buf)
  report.learning = require('onex_lsp').toggle_learning()
  report.client_learning = first.settings.onex.learning
  vim.cmd('Onex restart')
  wait(30000, 'a new client after :Onex restart', function()
    local client = onex_client(contract_buf)
    return client ~= nil and client.id ~= first.id and client.initialized
  end)
  local second = onex_client(contract_buf)
  report.restarted = second.id ~= first.id
  report.learning_after_restart = second.settings.onex.learning
  report.completion = vim.fn.getcompletion('Onex ', 'cmdline')
  -- YAML that is not a contract gets no client.
  vim.cmd('edit plain.yaml')
  vim.api.nvim_buf_set_lines(0, 0, -1, false, { 'services:', '  web: {image: nginx}' })
  vim.cmd('write')
  vim.cmd('edit')
  vim.wait(1500)
  report.plain_yaml_clients = #vim.lsp.get_clients({ name = 'onex_lsp', bufnr = 0 })
  -- ... until it becomes one: the client attaches when it is written.
  local contract_lines = vim.api.nvim_buf_get_lines(contract_buf, 0, -1, false)
  vim.api.nvim_buf_set_lines(0, 0, -1, false, contract_lines)
  vim.cmd('write')
  local plain = vim.api.nvim_get_current_buf()
  report.written_contract_attached = vim.wait(10000, function()
    return onex_client(plain) ~= nil
  end, 50)
end

-- In a generated package: <leader>oq restores a deleted handler (the missing-handler
-- diagnostic's quick fix), <leader>op swaps a handler for an alternative block.
function scenarios.drift()
  local package_dir = assert(os.getenv('ONEX_PACKAGE_DIR'))
  wait_attached()
  local missing = package_dir .. '/handlers/handler_list_users.py'
  local diagnostic
  wait(20000, 'the missing-handler diagnostic', function()
    for _, d in ipairs(vim.diagnostic.get(contract_buf)) do
      if d.code == 'missing-handler' then
        diagnostic = d
        return true
      end
    end
    return false
  end)
  vim.api.nvim_win_set_cursor(0, { diagnostic.lnum + 1, 0 })
  press('<leader>oq')
  wait(30000, 'the quick fix to write ' .. missing, function()
    return vim.uv.fs_stat(missing) ~= nil
  end)
  report.quickfix = missing

  vim.cmd('edit ' .. vim.fn.fnameescape(package_dir .. '/handlers/handler_get_user.py'))
  local handler_buf = vim.api.nvim_get_current_buf()
  wait(30000, 'the client on the handler file', function()
    local client = onex_client(handler_buf)
    return client ~= nil and vim.fn.maparg('<leader>op', 'n', false, true).buffer == 1
  end)
  local before = table.concat(vim.api.nvim_buf_get_lines(handler_buf, 0, -1, false), '\n')
  report.choices = {}
  vim.ui.select = function(items, opts, on_choice)
    for _, item in ipairs(items) do
      table.insert(report.choices, opts.format_item and opts.format_item(item) or tostring(item))
    end
    on_choice(items[1], 1)
  end
  press('<leader>op')
  wait(30000, 'the handler to change', function()
    local now = table.concat(vim.api.nvim_buf_get_lines(handler_buf, 0, -1, false), '\n')
    return now ~= before
  end)
  report.inserted = vim.api.nvim_buf_get_lines(handler_buf, 0, -1, false)

  -- <leader>op again, then the menu's "More patterns (other verbs)…": the client handles
  -- its command and opens the menu of the other verbs' blocks.
  report.again, report.other_verbs = {}, {}
  local menus = 0
  vim.ui.select = function(items, opts, on_choice)
    menus = menus + 1
    local record = menus == 1 and report.again or report.other_verbs
    local chosen
    for _, item in ipairs(items) do
      local text = opts.format_item and opts.format_item(item) or tostring(item)
      table.insert(record, text)
      if menus == 1 and chosen == nil and text:find('More patterns (other verbs)', 1, true) then
        chosen = item
      end
    end
    on_choice(chosen)
  end
  press('<leader>op')
  wait(30000, 'the menu of other verbs', function()
    return menus >= 2
  end)
end

-- Answer the next vim.ui.select: record its items, pick the first whose text starts with
-- `pick` (none: dismiss).
local function answer_select(record, pick)
  vim.ui.select = function(items, opts, on_choice)
    local chosen
    for _, item in ipairs(items) do
      local text = opts.format_item and opts.format_item(item) or tostring(item)
      table.insert(record, text)
      if chosen == nil and pick and text:sub(1, #pick) == pick then
        chosen = item
      end
    end
    on_choice(chosen)
  end
end

local function lens_titles(bufnr)
  return vim.tbl_map(function(lens)
    return lens.command and lens.command.title or ''
  end, vim.lsp.codelens.get(bufnr))
end

-- The contract's CodeLens and the onex/status line: the status reaches the statusline
-- function and :Onex status; the whole code-action menu lists generate once; :Onex lens
-- generates; the lens then says "Open node" (the server's workspace/codeLens/refresh).
function scenarios.lens()
  local package_dir = assert(os.getenv('ONEX_PACKAGE_DIR'))
  local expected = tonumber(os.getenv('ONEX_EXPECTED_FILES'))
  wait_attached()
  wait(30000, 'the server to say it is ready (onex/status)', function()
    return require('onex_lsp').status() == 'ONEX ready'
  end)
  report.statusline = require('onex_lsp').status()
  vim.cmd('Onex status')
  report.status_lines = require('onex_lsp.status').lines()
  wait(20000, 'the contract CodeLens', function()
    return #lens_titles(contract_buf) > 0
  end)
  report.lenses_before = lens_titles(contract_buf)
  report.lens_keymap = vim.fn.maparg('<leader>ol', 'n', false, true).desc
  report.menu = {}
  local asked = false
  answer_select(report.menu, nil)
  local select = vim.ui.select
  vim.ui.select = function(...)
    asked = true
    return select(...)
  end
  vim.lsp.buf.code_action()
  wait(20000, 'the code-action menu', function()
    return asked
  end)
  vim.cmd('Onex lens')
  wait(60000, 'the package files', function()
    return #vim.fn.globpath(package_dir, '**/*.py', false, true) >= expected
  end)
  vim.api.nvim_set_current_buf(contract_buf)
  wait(20000, 'the CodeLens to say the node exists', function()
    local titles = lens_titles(contract_buf)
    return #titles > 0 and titles[1]:find('Open node', 1, true) == 1
  end)
  report.lenses_after = lens_titles(contract_buf)
end

-- A misspelled key in a contract (strict-model hint "did you mean 'description'"):
-- <leader>oq on its line applies the quick fix through the plugin's code-action path.
function scenarios.quickfix()
  wait_attached()
  local diagnostic
  wait(20000, "the strict-model hint for 'descriptoin'", function()
    for _, d in ipairs(vim.diagnostic.get(contract_buf)) do
      if d.code == 'strict-model' and d.message:find("did you mean 'description'", 1, true) then
        diagnostic = d
        return true
      end
    end
    return false
  end)
  report.diagnostic = diagnostic.message
  vim.api.nvim_win_set_cursor(0, { diagnostic.lnum + 1, 0 })
  report.choices = {}
  answer_select(report.choices, "Replace with 'description'")
  press('<leader>oq')
  wait(20000, 'the key to be replaced', function()
    local line = vim.api.nvim_buf_get_lines(contract_buf, diagnostic.lnum, diagnostic.lnum + 1, false)
    return line[1] ~= nil and line[1]:find('^description:') ~= nil
  end)
  report.fixed_line = vim.api.nvim_buf_get_lines(contract_buf, diagnostic.lnum, diagnostic.lnum + 1, false)[1]
  wait(20000, 'the hint to go', function()
    return not vim.iter(vim.diagnostic.get(contract_buf)):any(function(d)
      return d.message:find('descriptoin', 1, true) ~= nil
    end)
  end)
end

local ok, err = pcall(function()
  local run = scenarios[scenario]
  if not run then
    fail('unknown scenario ' .. tostring(scenario))
  end
  run()
end)
if ok then
  finish('ok')
else
  finish('fail: ' .. (type(err) == 'table' and err.onex_fail or tostring(err)))
end
