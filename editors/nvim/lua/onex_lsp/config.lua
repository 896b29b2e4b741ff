-- The client configuration of onex-lsp: the command, which buffers it attaches to, the
-- workspace root, and how the `onex` settings reach the server. Used by lsp/onex_lsp.lua
-- (vim.lsp.enable) and by setup().
local M = {}

M.name = 'onex_lsp'
M.filetypes = { 'yaml', 'python' }
M.root_markers = { '.git', 'pyproject.toml', 'setup.py' }

local CONTRACT_NAMES = { ['contract.yaml'] = true, ['contract.yml'] = true }
local SNIFF_LINES = 2000

--- The server command when neither setup({ python = ... }) nor setup({ cmd = ... }) says:
--- g:onex_lsp_python, else the environment `:Onex install` made, else `onex-lsp` on PATH,
--- else python3 -m onex_lsp.
--- @return string[]
function M.default_cmd()
  local python = vim.g.onex_lsp_python
  if type(python) == 'string' and python ~= '' then
    return { vim.fn.expand(python), '-m', 'onex_lsp', 'serve' }
  end
  local installed = require('onex_lsp.install').venv_python()
  if vim.fn.executable(installed) == 1 then
    return { installed, '-m', 'onex_lsp', 'serve' }
  end
  if vim.fn.executable('onex-lsp') == 1 then
    return { 'onex-lsp', 'serve' }
  end
  return { vim.fn.executable('python3') == 1 and 'python3' or 'python', '-m', 'onex_lsp', 'serve' }
end

--- The command for an interpreter that has onex-lsp installed.
--- @param python string
--- @return string[]
function M.cmd_for_python(python)
  return { vim.fn.expand(python), '-m', 'onex_lsp', 'serve' }
end

--- Is this buffer one the server handles? ONEX contracts (contract.yaml, or YAML with
--- top-level `node_type:` and `contract_version:`) and Python files of a node package
--- (`.../node_<name>_<kind>/...`, e.g. handlers/handler_<op>.py).
--- @param bufnr integer
--- @return boolean
function M.is_onex_buffer(bufnr)
  if not vim.api.nvim_buf_is_valid(bufnr) then
    return false
  end
  local name = vim.api.nvim_buf_get_name(bufnr)
  if name == '' then
    return false
  end
  name = name:gsub('\\', '/')
  local base = vim.fs.basename(name)
  if CONTRACT_NAMES[base] then
    return true
  end
  if base:match('%.ya?ml$') or vim.bo[bufnr].filetype == 'yaml' then
    return M.is_contract_text(vim.api.nvim_buf_get_lines(bufnr, 0, SNIFF_LINES, false))
  end
  if base:match('%.py$') or vim.bo[bufnr].filetype == 'python' then
    return name:match('/node_[%w_]+/') ~= nil
  end
  return false
end

--- Does YAML text declare an ONEX node (both keys at the top level)?
--- @param lines string[]
--- @return boolean
function M.is_contract_text(lines)
  local node_type, version = false, false
  for _, line in ipairs(lines) do
    node_type = node_type or line:match('^node_type%s*:') ~= nil
    version = version or line:match('^contract_version%s*:') ~= nil
    if node_type and version then
      return true
    end
  end
  return false
end

--- The contract behind a buffer: the buffer itself, or the contract.yaml of the node
--- package a Python file belongs to.
--- @param bufnr integer
--- @return string? path
function M.contract_path(bufnr)
  local name = vim.api.nvim_buf_get_name(bufnr)
  if name == '' then
    return nil
  end
  local base = vim.fs.basename(name)
  if CONTRACT_NAMES[base] or ((base:match('%.ya?ml$')) and M.is_onex_buffer(bufnr)) then
    return name
  end
  local package = name:gsub('\\', '/'):match('^(.*/node_[%w_]+)/')
  while package do
    for contract in pairs(CONTRACT_NAMES) do
      local candidate = package .. '/' .. contract
      if vim.uv.fs_stat(candidate) then
        return candidate
      end
    end
    package = package:match('^(.*/node_[%w_]+)/')
  end
  return nil
end

--- The workspace root: the nearest root marker (see root_markers), else the current
--- directory when the file is inside it, else the file's folder. The server writes
--- generated packages only inside the workspace, so there is always one. Buffers that
--- are not ONEX documents get no client at all.
--- @param bufnr integer
--- @param on_dir fun(root_dir?: string)
function M.root_dir(bufnr, on_dir)
  if not M.is_onex_buffer(bufnr) then
    return
  end
  local resolved = vim.lsp.config[M.name] or {}
  local markers = resolved.root_markers or M.root_markers
  local root = vim.fs.root(bufnr, markers)
  if not root then
    local file = vim.fs.normalize(vim.api.nvim_buf_get_name(bufnr))
    local cwd = vim.fs.normalize(vim.uv.cwd() or '')
    if cwd ~= '' and file:sub(1, #cwd + 1) == cwd .. '/' then
      root = cwd
    else
      root = vim.fs.dirname(file)
    end
  end
  on_dir(root)
end

--- initializationOptions = { onex = settings.onex, overlaid with init_options.onex }, so
--- settings given to vim.lsp.config reach the server before its first request.
--- @param params lsp.InitializeParams
--- @param config vim.lsp.ClientConfig
function M.before_init(params, config)
  local from_settings = vim.deepcopy(((config.settings or {}).onex) or {})
  local from_init = vim.deepcopy(((config.init_options or {}).onex) or {})
  local onex = vim.tbl_deep_extend('force', from_settings, from_init)
  local options = vim.deepcopy(params.initializationOptions or {})
  if type(options) ~= 'table' then
    options = {}
  end
  options.onex = next(onex) == nil and vim.empty_dict() or onex
  params.initializationOptions = options
end

--- The default client configuration (what lsp/onex_lsp.lua returns).
--- @return vim.lsp.Config
function M.default()
  return {
    cmd = M.default_cmd(),
    filetypes = vim.deepcopy(M.filetypes),
    root_markers = vim.deepcopy(M.root_markers),
    root_dir = M.root_dir,
    settings = { onex = vim.empty_dict() },
    init_options = { onex = vim.empty_dict() },
    before_init = M.before_init,
    -- The contract CodeLens changes when a package is written: the server says so.
    -- The server's "More patterns (other verbs)…" entry runs editor.action.codeAction,
    -- which this plugin handles (below): say so, as rust-analyzer's clients do.
    capabilities = {
      workspace = { codeLens = { refreshSupport = true } },
      experimental = { commands = { commands = { 'editor.action.codeAction' } } },
    },
    handlers = {
      ['onex/status'] = function(...)
        return require('onex_lsp.status').handler(...)
      end,
      ['workspace/codeLens/refresh'] = function(...)
        return require('onex_lsp.lens').on_refresh(...)
      end,
    },
    commands = {
      ['editor.action.codeAction'] = function(command)
        require('onex_lsp').code_action_menu(command)
      end,
    },
  }
end

--- The resolved configuration: the running client's, else vim.lsp.config's.
--- @param bufnr? integer
--- @return table config, vim.lsp.Client? client
function M.current(bufnr)
  local clients = vim.lsp.get_clients({ name = M.name, bufnr = bufnr })
  if #clients == 0 and bufnr then
    clients = vim.lsp.get_clients({ name = M.name })
  end
  local client = clients[1]
  if client then
    return client.config, client
  end
  return (vim.lsp.config and vim.lsp.config[M.name]) or M.default(), nil
end

--- The `onex` settings section of a configuration (or a running client).
--- @param config table
--- @param client? vim.lsp.Client
--- @return table
function M.onex_settings(config, client)
  local settings = (client and client.settings) or config.settings or {}
  local onex = settings.onex
  return type(onex) == 'table' and onex or {}
end

local function first_line(path)
  local file = io.open(path, 'r')
  if not file then
    return nil
  end
  local line = file:read('*l')
  file:close()
  return line
end

--- The Python interpreter that runs the server: the `python` of `python -m onex_lsp ...`,
--- else the interpreter named by the `onex-lsp` script's #! line.
--- @param cmd string[]|function|nil
--- @return string?
function M.python(cmd)
  if type(cmd) ~= 'table' or not cmd[1] then
    return nil
  end
  if cmd[2] == '-m' then
    local found = vim.fn.exepath(cmd[1])
    return found ~= '' and found or cmd[1]
  end
  local exe = vim.fn.exepath(cmd[1])
  if exe == '' then
    return nil
  end
  local line = first_line(exe)
  if not line or line:sub(1, 2) ~= '#!' then
    return nil
  end
  local words = vim.split(vim.trim(line:sub(3)), '%s+')
  local program = words[1]
  if program and vim.fs.basename(program) == 'env' then
    program = words[2] == '-S' and words[3] or words[2]
  end
  if not program or not vim.fs.basename(program):match('^python') then
    return nil
  end
  local found = vim.fn.exepath(program)
  return found ~= '' and found or program
end

--- The command line interface (`onex-lsp` or `python -m onex_lsp`) of the server command:
--- everything before `serve`.
--- @param cmd string[]|function|nil
--- @return string[]?
function M.cli(cmd)
  if type(cmd) == 'table' then
    for index, word in ipairs(cmd) do
      if word == 'serve' and index > 1 then
        return vim.list_slice(cmd, 1, index - 1)
      end
    end
  end
  local python = M.python(cmd)
  return python and { python, '-m', 'onex_lsp' } or nil
end

--- Where the server keeps its data, as far as the client can tell: perWorkspace gives
--- <root>/.onex-lsp; else onex.store.path (nil: the server's default,
--- $ONEX_LSP_DATA_DIR or the user data directory).
--- @param onex table the onex settings
--- @param root? string
--- @return string?
function M.store_path(onex, root)
  local store = type(onex.store) == 'table' and onex.store or {}
  if store.perWorkspace and root then
    return vim.fs.joinpath(root, '.onex-lsp')
  end
  if type(store.path) == 'string' and store.path ~= '' then
    return vim.fn.expand(store.path)
  end
  return nil
end

return M
