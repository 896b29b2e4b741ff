-- A minimal Neovim config that loads the onex-lsp plugin from editors/nvim, as a user
-- would: `nvim -u tests/editors/minimal_init.lua contract.yaml`.
-- $ONEX_SERVER_PYTHON: the interpreter with onex-lsp installed (default: python3).
-- $ONEX_EMBEDDER: onex.embedder (default: hashing, so nothing loads torch).
-- $ONEX_STRICT_MODEL=1: onex.strictModel (the strict-model hints and their quick fixes).
-- (Plain vim.fn so that it also runs on old Neovim, where setup() only reports the version.)
local repo = vim.fn.fnamemodify(debug.getinfo(1, 'S').source:sub(2), ':p:h:h:h')

vim.opt.runtimepath:prepend(repo .. '/editors/nvim')
vim.g.mapleader = ' '
vim.o.swapfile = false
vim.o.shadafile = 'NONE'

require('onex_lsp').setup({
  python = os.getenv('ONEX_SERVER_PYTHON') or 'python3',
  settings = {
    onex = {
      embedder = os.getenv('ONEX_EMBEDDER') or 'hashing',
      notificationLevel = 'error',
      strictModel = os.getenv('ONEX_STRICT_MODEL') == '1',
    },
  },
})
