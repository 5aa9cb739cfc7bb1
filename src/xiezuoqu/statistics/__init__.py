"""统计: the commission's, each zone's and each township's figures over a period (ADR 0022)."""
