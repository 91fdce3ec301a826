"""Organisation-defined checks: ``checks:`` of ``rules.yaml``, judged on one normalized document
per table and per column in every place (model files, revisions, the autogenerate gate, a live
database).

- :mod:`envoxy.checks.model`: :class:`Check`, the compiled form a :class:`~envoxy.rules.RuleSet`
  holds, and what each place knows;
- :mod:`envoxy.checks.compile`: ``checks:`` data to :class:`Check` objects, every problem located;
- :mod:`envoxy.checks.predicate`: a JSON Schema to a Python predicate (jsonschema for the rest);
- :mod:`envoxy.checks.engine`: :func:`judge_tables`, the one judge every place calls;
- :mod:`envoxy.checks.builtins`: the checks JSON Schema cannot express across objects;
- :mod:`envoxy.checks.documents_schema`: the JSON Schema of the documents.
"""

from __future__ import annotations
