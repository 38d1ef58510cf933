"""Talking to a node: the transport seam, the runtime registry, SCALE -> Block decoding, and reads.

``transport`` (the only module that touches async-substrate-interface's internals) -> ``client``
(``ChainClient``: heads, blocks, raw RPC) with ``runtimes`` (the registry of decoded runtimes, through
``runtime_cache`` on disk) and ``decode`` (SCALE -> :class:`~sentinel_core.model.Block`); ``reads``
holds chain-state reads (hyperparameters, metagraphs, subnets).
"""
