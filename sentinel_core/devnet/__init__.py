"""The devnet: a local Bittensor-shaped Substrate node serving real JSON-RPC over a websocket."""
