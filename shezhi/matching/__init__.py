"""The matching engine: needs × helpers → an optimal, explained dispatch proposal.

Every module of this package is pure (no Django; the import contract covers the package); the
solver is `shezhi.matching.engine`, the platform adapter `shezhi.needs.matching_adapter`."""
