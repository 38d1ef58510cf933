"""Chain-state reads beyond blocks: hyperparameters, metagraphs and subnets, at any block."""
