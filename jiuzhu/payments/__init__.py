"""Monthly payment runs, bank batch files and the bank's returns, on the case record.

The money rules are pure in ``jiuzhu.policy.payments``; this package reads the case record for
them, writes what they decide, and speaks the banks' file layouts (``data/banks.json``).
"""
