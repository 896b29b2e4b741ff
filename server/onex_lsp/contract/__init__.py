"""Reading ONEX contracts in every dialect, with diagnostics that agree with omnibase-core."""
