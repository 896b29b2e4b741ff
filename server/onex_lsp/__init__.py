"""onex-lsp: ONEX contracts in, runnable omnibase-core node packages out."""

__version__ = "0.1.0"
