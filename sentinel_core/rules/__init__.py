"""Rules: what a ``[[rules]]`` table may say and how blocks, hyperparameter changes, stalls and metagraph
snapshots become alerts.

- ``spec``            the rule models (validated at load time)
- ``conditions``      the condition compiler (``where`` tables -> one generated check per rule)
- ``values``          value access: the one way to read a field of a call or an event
- ``messages``        default messages, safe template rendering, the fields of a call or an event
- ``matchers/``       one compiled matcher per rule kind, registered in ``matchers.MATCHERS``
- ``engine``          ``RuleEngine``: the index (which rules care about which call / event) and dispatch
- ``windows``, ``baseline``, ``snapshot_rules``  sliding windows (pattern), rolling baselines (anomaly),
                      what changed between two snapshots (snapshot)

Alerts leave through :mod:`sentinel_core.alerts` (``raise_alerts``, the deliverer, the channels).
"""
