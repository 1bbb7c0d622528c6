"""The matching engine: needs × helpers → an optimal, explained dispatch proposal.

`shezhi.matching.model` and `shezhi.matching.engine` are pure (no Django); the platform adapter
lives in `shezhi.needs.matching_adapter`."""
