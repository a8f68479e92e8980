"""Compute stage for task groups: the cards of each task in leaderboard order, and the
conditions on which they differ (what makes two inference figures comparable). Pure.

Task pages show `TaskGroup.differences`; the compare page reads each card's
`comparison_conditions` from data/cards.json, so both apply this one rule.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from generator.compute.summary import CardSummary
from generator.formats.card import TASK_LABELS, Task


@dataclass(frozen=True)
class ConditionSpread:
    """A condition on which the cards of a task differ: each value and the cards with it."""

    condition: str
    values: tuple[tuple[str, tuple[str, ...]], ...]  # (value, card names)


@dataclass(frozen=True)
class TaskGroup:
    task: Task
    label: str
    summaries: tuple[CardSummary, ...] = field(default_factory=tuple)

    @property
    def differences(self) -> tuple[ConditionSpread, ...]:
        return comparability(self.summaries)


_NOT_GIVEN = "not given"


def comparison_conditions(summary: CardSummary) -> dict[str, str] | None:
    """What two inference figures must share to be compared, by condition name (None for a
    card without an inference figure). Task pages and the compare page both use it.

    Every condition a measured configuration can vary (`InferenceConditions`: hardware, GPU
    count, batch size, precision, queries, scope, PUE) is here, so a card's reference
    configuration is only paired with figures measured like it."""
    if not (summary.card.inference and summary.headline_inference_energy):
        return None
    conditions = summary.card.inference.conditions
    energy = summary.headline_inference_energy
    pue = {True: "included", False: "not included", None: "not stated"}[conditions.includes_pue]
    return {
        "Task": summary.task_label,
        "Hardware": conditions.hardware,
        "GPUs": str(conditions.gpu_count) if conditions.gpu_count else _NOT_GIVEN,
        "Batch size": str(conditions.batch_size) if conditions.batch_size else _NOT_GIVEN,
        "Precision": conditions.precision or _NOT_GIVEN,
        "Queries": conditions.dataset or _NOT_GIVEN,
        "Energy scope": f"{conditions.scope.value}, PUE {pue}",
        "Provenance": energy.provenance.value if energy else _NOT_GIVEN,
    }


def comparability(summaries: Iterable[CardSummary]) -> tuple[ConditionSpread, ...]:
    """Conditions that differ between the cards of a task that have an inference figure."""
    by_condition: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for summary in summaries:
        for condition, value in (comparison_conditions(summary) or {}).items():
            by_condition[condition][value].append(summary.card.name)
    return tuple(
        ConditionSpread(
            condition,
            tuple(sorted((value, tuple(sorted(names))) for value, names in values.items())),
        )
        for condition, values in by_condition.items()
        if len(values) > 1
    )


def _inference_sort_key(summary: CardSummary) -> tuple:
    energy = summary.headline_inference_energy
    return (energy is None, energy.value if energy else 0.0, summary.card.name.lower())


def group_by_task(summaries: Iterable[CardSummary]) -> list[TaskGroup]:
    """Cards per task, tasks in vocabulary order, cards by energy per 1,000 queries."""
    grouped: dict[Task, list[CardSummary]] = defaultdict(list)
    for summary in summaries:
        grouped[summary.card.task].append(summary)
    return [
        TaskGroup(task, TASK_LABELS[task], tuple(sorted(grouped[task], key=_inference_sort_key)))
        for task in Task
        if task in grouped
    ]
