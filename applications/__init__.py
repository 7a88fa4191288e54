"""Applications (办件) and the back office (前店后厂): drafts, submission, the state machine,
the legal clock, supplements, decisions and the clerks' worklist."""
