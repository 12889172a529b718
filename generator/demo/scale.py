"""How big a synthetic county is: the demo, a county, a city (DESIGN §5).

The demo county is the reference: ~200 enterprises over about two years.  A
larger scale multiplies what the demo does — more enterprises of the same
industries and colours, more staff in the same posts, more visits and
hazards per enterprise, more complaints and look-backs — over a longer
window, so the distributions of kinds, states, texts and references stay
those of the demo.  ``DEMO`` changes nothing: the demo's bytes depend on it.

- county: 3,000 enterprises, about 10,000 inspections and 40,000 hazards a
  year, over the demo's two-year window;
- city: 20,000 enterprises, about 100,000 inspections and 300,000 hazards
  over five years.

At a larger scale a category may recur at an enterprise sooner than the
demo's 190-day guard allows (a county finding 13 hazards per enterprise a year
runs out of free categories otherwise), so recurrences are not all scripted.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scale:
    name: str
    enterprises: int = 200  # a multiple of 200: every industry and colour scaled alike
    years: int = 2  # the window starts on 1 January, ``years - 1`` years before the as-of year
    visits: float = 1.0  # routine and joint visits per enterprise and year, × the demo's
    hazards: float = 1.0  # hazards per visit, × the demo's
    staff: int = 1  # copies of each staff post
    recurrence_guard_days: int = 190
    phone_blocks: int = 1  # 10,000 phone numbers per block

    @property
    def factor(self) -> int:
        """How many demo counties of enterprises."""
        return max(1, self.enterprises // 200)

    @property
    def is_demo(self) -> bool:
        return self.name == "demo"

    def complaints(self) -> int:
        return 30 * self.factor * self.years // 2

    def lookback_enterprises(self) -> int:
        return round(10 * self.factor * self.visits)

    def comprehensive_visits(self, per_year: int) -> int:
        return round(per_year * self.factor * self.visits)


DEMO = Scale("demo")
SCALES: dict[str, Scale] = {
    "demo": DEMO,
    "county": Scale(
        "county",
        enterprises=3000,
        years=2,
        visits=1.42,
        hazards=2.7,
        staff=8,
        recurrence_guard_days=21,
        phone_blocks=2,
    ),
    "city": Scale(
        "city",
        enterprises=20000,
        years=5,
        visits=0.42,
        hazards=1.63,
        staff=20,
        recurrence_guard_days=60,
        phone_blocks=6,
    ),
}


def reduced(scale: Scale, enterprises: int) -> Scale:
    """The same scale with fewer enterprises (and staff), for tests."""
    factor = max(1, enterprises // 200)
    return Scale(
        f"{scale.name}-{factor * 200}",
        enterprises=factor * 200,
        years=scale.years,
        visits=scale.visits,
        hazards=scale.hazards,
        staff=max(1, scale.staff * factor // scale.factor),
        recurrence_guard_days=scale.recurrence_guard_days,
        phone_blocks=scale.phone_blocks,
    )
