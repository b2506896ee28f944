"""Job contracts, one module per area; each exposes ``CONTRACTS``."""
