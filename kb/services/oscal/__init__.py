"""csms-kb in NIST's OSCAL: the catalogue as catalogs, an assessment as a profile and
assessment results, an offering as a component definition, and an imported catalog as
a framework to map to. Every document is built from compliance-trestle's models, never
as hand-written JSON; `common` holds what they share."""
