"""The power-log layout format: where a power log keeps its time, GPU and power columns.

A card's measurement entry (`layout:` under a `format: power-log` file) and
`energy-cards inspect --as power-log:SPEC` declare one, so that any CSV or Parquet power log
can be read, not only nvidia-smi's own. Two layouts:

- long: one row per sample per GPU: a time column, a GPU id column, a power column;
- wide: one row per sample time, one power column per GPU (the column name is the GPU's name).

The spec string of `--as` is the same mapping on one line:
`time=COLUMN:FORM,gpu=COLUMN,power=COLUMN:UNIT` (long) or
`time=COLUMN:FORM,power=COLUMN+COLUMN+...:UNIT` (wide). `layout_from_spec` reads it,
`layout_spec` writes it (hints print the spec a refused file would need).
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from generator.formats.values import Text


class TimeForm(StrEnum):
    """How the time column is written."""

    ISO8601 = "iso8601"  # 2024-10-30T18:42:33.189Z or ...+02:00 (read as UTC)
    EPOCH_S = "epoch-s"  # seconds since 1970-01-01 UTC, e.g. 1730313753.189
    EPOCH_MS = "epoch-ms"  # milliseconds since 1970-01-01 UTC, e.g. 1730313753189
    NVIDIA_SMI = "nvidia-smi"  # 2024/10/30 18:42:33.189 (local wall-clock time, no zone)


class PowerUnit(StrEnum):
    """The unit of the power column(s)."""

    W = "W"  # 208.36
    MW = "mW"  # 208360
    W_TEXT = "W-text"  # "208.36 W", as nvidia-smi writes it without nounits


class PowerLogLayout(BaseModel):
    """Where a power log's columns are (long: a GPU column; wide: a power column per GPU)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    time_column: Text = Field(description="The column holding each sample's time.")
    time_form: TimeForm = Field(
        description="How times are written: iso8601 (with an offset or Z), epoch-s, epoch-ms or "
        "nvidia-smi (YYYY/MM/DD HH:MM:SS.fff)."
    )
    gpu_column: Text | None = Field(
        None, description="Long layout: the column naming the GPU of each row (index or uuid)."
    )
    power_column: Text | None = Field(
        None, description="Long layout: the column holding the power of each row."
    )
    power_columns: list[Text] | None = Field(
        None,
        min_length=1,
        description="Wide layout: one power column per GPU, named after the GPU it measures.",
    )
    power_unit: PowerUnit = Field(
        PowerUnit.W, description="Unit of the power values: W, mW, or W-text ('208.36 W')."
    )

    @model_validator(mode="after")
    def _one_layout(self) -> PowerLogLayout:
        if (self.power_column is None) == (self.power_columns is None):
            raise ValueError(
                "expected power_column (long layout) or power_columns (wide layout), got "
                + ("both" if self.power_column else "neither")
            )
        if self.gpu_column is not None and self.power_columns is not None:
            raise ValueError(
                "expected gpu_column only with power_column (long layout), got it with"
                " power_columns (wide layout: each column is a GPU)"
            )
        return self

    @property
    def wide(self) -> bool:
        """True for one power column per GPU."""
        return self.power_columns is not None


SPEC_EXAMPLE = "time=timestamp:iso8601,gpu=gpu,power=power_w:W"


def layout_spec(layout: PowerLogLayout) -> str:
    """The one-line spec of a layout, as `--as power-log:SPEC` takes it."""
    parts = [f"time={layout.time_column}:{layout.time_form.value}"]
    if layout.gpu_column:
        parts.append(f"gpu={layout.gpu_column}")
    power = layout.power_column or "+".join(layout.power_columns or [])
    parts.append(f"power={power}:{layout.power_unit.value}")
    return ",".join(parts)


def layout_from_spec(spec: str) -> tuple[PowerLogLayout | None, str]:
    """A layout from its one-line spec, or None and what is wrong ("expected ..., got ...")."""
    fields: dict[str, str] = {}
    for part in (part.strip() for part in spec.split(",")):
        key, equals, value = part.partition("=")
        if not equals or key.strip() not in ("time", "gpu", "power") or not value.strip():
            return None, f"expected KEY=VALUE with KEY time, gpu or power, got {part!r}"
        fields[key.strip()] = value.strip()
    if "time" not in fields or "power" not in fields:
        return None, f"expected time=COLUMN:FORM and power=COLUMN:UNIT, got {spec!r}"
    time_column, _, time_form = fields["time"].rpartition(":")
    power, colon, unit = fields["power"].rpartition(":")
    if not colon:
        power, unit = unit, PowerUnit.W.value
    columns = [column.strip() for column in power.split("+")]
    data = {
        "time_column": time_column,
        "time_form": time_form,
        "gpu_column": fields.get("gpu"),
        "power_unit": unit,
        **({"power_columns": columns} if len(columns) > 1 else {"power_column": columns[0]}),
    }
    try:
        return PowerLogLayout.model_validate(data), ""
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        return None, f"{where + ': ' if where else ''}{first['msg']} (e.g. {SPEC_EXAMPLE})"
