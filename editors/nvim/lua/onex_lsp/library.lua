-- :Onex library: the pattern library of the running server (its `onex/patternLibrary`
-- request: learned blocks and the feedback of every pattern) in a vim.ui.select picker.
-- Choosing a learned block opens the file it was learned from; a pattern shows its record.
local M = {}

local function fmt_rate(value)
  return type(value) == 'number' and ('%.2f'):format(value) or '-'
end

--- One picker row per learned block, then per pattern with feedback.
--- @param library table the request's result
--- @return { label: string, kind: string, origin?: string, detail: string }[]
function M.items(library)
  local items = {}
  for _, block in ipairs(library.blocks or {}) do
    local stats = type(block.stats) == 'table' and block.stats or {}
    local label = ('learned  %-14s %-8s %-22s keep %s  %s'):format(
      block.block ~= vim.NIL and block.block or '-',
      block.nodeKind ~= vim.NIL and block.nodeKind or '-',
      block.operation ~= vim.NIL and block.operation or '-',
      fmt_rate(stats.keepRate),
      vim.fn.fnamemodify(block.origin or '', ':~:.')
    )
    table.insert(items, { label = label, kind = 'block', origin = block.origin, detail = vim.inspect(block) })
  end
  for _, pattern in ipairs(library.patterns or {}) do
    local label = ('pattern  %-32s shown %d applied %d kept %d modified %d reverted %d keep %s %s'):format(
      pattern.key,
      pattern.shown or 0,
      pattern.applied or 0,
      pattern.kept or 0,
      pattern.modified or 0,
      pattern.reverted or 0,
      fmt_rate(pattern.keepRate),
      pattern.state or ''
    )
    table.insert(items, { label = label, kind = 'pattern', detail = vim.inspect(pattern) })
  end
  return items
end

--- @param client vim.lsp.Client
--- @param on_items? fun(items: table[], library: table) instead of the picker (tests)
function M.open(client, on_items)
  client:request('onex/patternLibrary', vim.empty_dict(), function(err, result)
    if err or type(result) ~= 'table' then
      local why = err and tostring(err.message) or 'no answer'
      vim.notify('onex_lsp: the pattern library request failed: ' .. why, vim.log.levels.ERROR)
      return
    end
    local items = M.items(result)
    if on_items then
      return on_items(items, result)
    end
    if #items == 0 then
      vim.notify('onex_lsp: the pattern library is empty (' .. tostring(result.store) .. ')')
      return
    end
    vim.ui.select(items, {
      prompt = ('ONEX pattern library (%s, %s)'):format(tostring(result.embedder), tostring(result.store)),
      format_item = function(item)
        return item.label
      end,
    }, function(choice)
      if not choice then
        return
      end
      if choice.kind == 'block' and choice.origin and vim.uv.fs_stat(choice.origin) then
        vim.cmd.edit(vim.fn.fnameescape(choice.origin))
      else
        vim.notify(choice.detail)
      end
    end)
  end)
end

return M
