"""The Chinese ELMo module: biLM network, pretraining, and the shipped default."""
