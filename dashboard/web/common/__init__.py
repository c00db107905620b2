"""Parts every page shares: the page shell, controls, map base, shapes, scenarios, tables."""
