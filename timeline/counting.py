"""The counting rules the record is read by, named so every count says which it used.

Sources count differently: South Korea's JCS counts launch events (a salvo of several missiles
fired together is one launch), the CNS database counts missiles (one row per missile). Both
counts are kept; the ordinal on launch pages, the charts and the API's statistics name the rule
behind each number and link to its definition on the methodology page.
"""

from dataclasses import dataclass

from django.db import models


@dataclass(frozen=True)
class CountingRule:
    key: str
    # What one unit is called: "launch event", "missile".
    unit: str
    # How the number was counted, after the number: "counted as the JCS counts".
    counted_as: str
    # The rule in full, for the API's readers.
    definition: str
    # The methodology page's anchor that defines the rule.
    anchor: str
    # The column summed per launch; None when each launch counts one.
    summed: str | None = None

    def aggregate(self):
        """The expression counting launches under this rule, for `annotate()`/`aggregate()`."""
        return models.Sum(self.summed) if self.summed else models.Count("pk")


LAUNCH_EVENTS = CountingRule(
    key="launch_events",
    unit="launch event",
    counted_as="counted as the JCS counts",
    definition="counted as the JCS counts: several missiles fired together are one launch",
    anchor="counting",
)
MISSILES = CountingRule(
    key="missiles",
    unit="missile",
    counted_as="counted as the CNS database counts",
    definition="counted as the CNS database counts: one per missile, where the number is known",
    anchor="missile-count",
    summed="missile_count",
)
RULES = (LAUNCH_EVENTS, MISSILES)
# The rule the "Nth ballistic launch of the year" ordinals count by.
ORDINAL_RULE = LAUNCH_EVENTS
