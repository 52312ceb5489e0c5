"""Work allocation: who does which duty, as a linear (or mixed-integer) program on HiGHS.

Variables ``x[r, d]`` = units of duty ``d`` (calls, meetings, open opportunities of a
product ...) that rep ``r`` does per week. The program

    maximise   sum_r,d value[r, d] * x[r, d]               (expected team bookings)
    subject to sum_r x[r, d] >= target[d]                  (every duty target met)
               sum_r x[r, d] <= max_total[d]               (where a duty is finite)
               sum_d hours[d] * x[r, d] <= available[r]    (availability)
               sum_d hours[d] * x[r, d] >= min_hours[r]    (per-person minimum)
               min_units[r, d] <= x[r, d] <= max_units[r, d]

is solved with ``scipy.optimize.linprog(method="highs")`` (duals give each constraint's
shadow price) or ``scipy.optimize.milp`` for whole units. When it is infeasible, a relaxed
program adds a shortfall variable to every duty target and to every minimum, minimises the
total shortfall, then maximises bookings at that shortfall; the non-zero shortfalls say
which targets cannot be met and by how much.

The even-split baseline gives every rep an equal share of each duty target and fills the
rest of their hours in the same mix as the targets (within the same per-person maxima).

**Uncertainty**: with ``value_low`` / ``value_high`` (the values at the low and high ends of
the strength intervals), the chosen plan's expected bookings are also given at both ends
(``bookings_low`` / ``bookings_high``; per row ``expected_low`` / ``expected_high``). Every
value at its low end at once is an envelope, wider than a joint interval of the total.

**Why it is infeasible**: the shortfall program is an LP (the whole-unit one's relaxation
for this), and its duals say which resource limits the shortfall: rows with a non-zero
dual are named in words with their numbers — the team's hours (all reps at their
available hours), some reps' hours, a duty's finite total, per-person maxima or minima.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

TOL = 1e-7


@dataclass(frozen=True)
class Duty:
    name: str
    target: float                      # units per week the team must do, at least
    hours_per_unit: float
    max_total: float | None = None     # e.g. the number of open opportunities there are
    unit: str = "/week"                # how the target reads: "40/week", "85 open deals"


@dataclass
class AllocationProblem:
    reps: list[str]
    duties: list[Duty]
    available: Mapping[str, float]                      # hours per week
    value: pd.DataFrame                                  # index reps, columns duty names
    min_hours: Mapping[str, float] = field(default_factory=dict)
    min_units: pd.DataFrame | None = None
    max_units: pd.DataFrame | None = None
    integer: bool = False
    value_low: pd.DataFrame | None = None               # value at the intervals' low end
    value_high: pd.DataFrame | None = None              # ... and at their high end
    reasons: Mapping[str, str] = field(default_factory=dict)  # rep -> why no own estimate

    def _matrix(self, frame: pd.DataFrame | None, default: float) -> np.ndarray:
        names = [d.name for d in self.duties]
        if frame is None:
            return np.full((len(self.reps), len(names)), default)
        return frame.reindex(index=self.reps, columns=names).fillna(default).to_numpy(float)


@dataclass
class AllocationResult:
    status: str                        # optimal | infeasible
    plan: pd.DataFrame                 # rep, duty, units, hours, expected_bookings
    expected_bookings: float
    even_split: pd.DataFrame
    even_split_bookings: float
    constraints: pd.DataFrame          # constraint, kind, level, limit, slack, shadow_price,
    #                                    binding
    shortfalls: pd.DataFrame           # duty/rep, target, achievable, short_by (infeasible)
    message: str
    bookings_low: float = float("nan")     # the plan at the strength intervals' low end
    bookings_high: float = float("nan")    # ... and at their high end
    reasons: Mapping[str, str] = field(default_factory=dict)  # rep -> why (no deals ...)
    resources: list[str] = field(default_factory=list)  # infeasible: what limits, in words

    @property
    def binding(self) -> pd.DataFrame:
        if "binding" not in self.constraints:
            return self.constraints
        return self.constraints[self.constraints["binding"]].reset_index(drop=True)

    def weekly_plan(self) -> pd.DataFrame:
        """Rep x duty units per week, with each rep's hours and expected bookings."""
        units = self.plan.pivot_table(index="rep", columns="duty", values="units",
                                      aggfunc="sum", fill_value=0.0, sort=False)
        totals = self.plan.groupby("rep", sort=False)[["hours", "expected_bookings"]].sum()
        return units.join(totals)

    def bookings_range(self) -> str:
        """'expected bookings 350,556 (190,210 to 512,900 at the intervals' ends)'."""
        text = f"expected bookings {self.expected_bookings:,.0f}"
        if self.bookings_low == self.bookings_low:  # not NaN
            text += (f" ({self.bookings_low:,.0f} to {self.bookings_high:,.0f} at the "
                     "strength intervals' ends)")
        return text


def _rows(problem: AllocationProblem) -> tuple[np.ndarray, np.ndarray, np.ndarray,
                                                np.ndarray, list[tuple[str, str, str]]]:
    """Constraint rows as lower <= A x <= upper, with a (name, kind, subject) per row."""
    reps, duties = problem.reps, problem.duties
    n_r, n_d = len(reps), len(duties)
    hours = np.array([d.hours_per_unit for d in duties])
    a, lo, hi, labels = [], [], [], []
    for j, duty in enumerate(duties):
        row = np.zeros(n_r * n_d)
        row[j::n_d] = 1.0
        a.append(row)
        lo.append(duty.target)
        hi.append(np.inf if duty.max_total is None else duty.max_total)
        labels.append((f"target {duty.name}", "duty", duty.name))
    for i, rep in enumerate(reps):
        row = np.zeros(n_r * n_d)
        row[i * n_d:(i + 1) * n_d] = hours
        a.append(row)
        lo.append(problem.min_hours.get(rep, 0.0))
        hi.append(problem.available[rep])
        labels.append((f"hours {rep}", "hours", rep))
    return np.array(a), np.array(lo), np.array(hi), np.array([0]), labels


def _bounds(problem: AllocationProblem) -> tuple[np.ndarray, np.ndarray]:
    lower = problem._matrix(problem.min_units, 0.0).ravel()
    upper = problem._matrix(problem.max_units, np.inf).ravel()
    return lower, upper


def _plan_frame(problem: AllocationProblem, x: np.ndarray) -> pd.DataFrame:
    n_d = len(problem.duties)
    value = problem._matrix(problem.value, 0.0).ravel()
    hours = np.tile([d.hours_per_unit for d in problem.duties], len(problem.reps))
    x = np.where(np.abs(x) < TOL, 0.0, x)
    frame = pd.DataFrame({
        "rep": np.repeat(problem.reps, n_d),
        "duty": np.tile([d.name for d in problem.duties], len(problem.reps)),
        "units": x, "hours": x * hours, "expected_bookings": x * value})
    if problem.value_low is not None and problem.value_high is not None:
        frame["expected_low"] = x * problem._matrix(problem.value_low, 0.0).ravel()
        frame["expected_high"] = x * problem._matrix(problem.value_high, 0.0).ravel()
    return frame


def _ends(plan: pd.DataFrame) -> tuple[float, float]:
    if "expected_low" not in plan:
        return float("nan"), float("nan")
    return float(plan["expected_low"].sum()), float(plan["expected_high"].sum())


def even_split(problem: AllocationProblem) -> pd.DataFrame:
    n_r = len(problem.reps)
    hours = np.array([d.hours_per_unit for d in problem.duties])
    targets = np.array([d.target for d in problem.duties])
    share = targets / n_r
    mix_hours = hours * targets
    weights = mix_hours / mix_hours.sum() if mix_hours.sum() > 0 else np.full(len(hours),
                                                                               1 / len(hours))
    rows = []
    for rep in problem.reps:
        spare = max(problem.available[rep] - float(hours @ share), 0.0)
        rows.append(share + spare * weights / hours)
    x = np.minimum(np.array(rows), problem._matrix(problem.max_units, np.inf))
    caps = [d.max_total for d in problem.duties]
    for j, cap in enumerate(caps):
        total = x[:, j].sum()
        if cap is not None and total > cap > 0:
            x[:, j] *= cap / total
    return _plan_frame(problem, x.ravel())


def _solve(problem: AllocationProblem, a: np.ndarray, lo: np.ndarray, hi: np.ndarray,
           objective: np.ndarray, bounds: tuple[np.ndarray, np.ndarray],
           integrality: np.ndarray | None = None):
    """Minimise ``objective``; returns (x or None, duals per row or None)."""
    if integrality is not None and integrality.any():
        res = milp(objective, constraints=[LinearConstraint(a, lo, hi)],
                   bounds=Bounds(*bounds), integrality=integrality)
        return (res.x if res.status == 0 else None), None, res.status
    # linprog wants A_ub x <= b_ub: split the two-sided rows
    finite_hi = np.isfinite(hi)
    finite_lo = lo > -np.inf
    a_ub = np.vstack([a[finite_hi], -a[finite_lo]])
    b_ub = np.concatenate([hi[finite_hi], -lo[finite_lo]])
    res = linprog(objective, A_ub=a_ub, b_ub=b_ub, bounds=list(zip(*bounds, strict=True)),
                  method="highs")
    if res.status != 0:
        return None, None, res.status
    marginals = res.ineqlin.marginals
    duals = np.zeros(len(a))
    duals[np.flatnonzero(finite_hi)] += marginals[:finite_hi.sum()]
    duals[np.flatnonzero(finite_lo)] -= marginals[finite_hi.sum():]
    # variable bounds (per-person min/max units) after the rows
    bound_duals = res.upper.marginals + res.lower.marginals
    return res.x, np.concatenate([duals, bound_duals]), 0


def allocate(problem: AllocationProblem) -> AllocationResult:
    a, lo, hi, _, labels = _rows(problem)
    bounds = _bounds(problem)
    value = problem._matrix(problem.value, 0.0).ravel()
    integrality = np.full(len(value), 1 if problem.integer else 0)
    even = even_split(problem)
    x, duals, status = _solve(problem, a, lo, hi, -value, bounds, integrality)
    if x is None:
        return _explain_infeasible(problem, a, lo, hi, bounds, value, integrality, even)
    plan = _plan_frame(problem, x)
    # per-person unit limits are reported like rows: one per (rep, duty) variable
    for rep in problem.reps:
        for duty in problem.duties:
            labels.append((f"units {rep} {duty.name}", "units", f"{rep} {duty.name}"))
    a = np.vstack([a, np.eye(len(x))])
    lo = np.concatenate([lo, bounds[0]])
    hi = np.concatenate([hi, bounds[1]])
    activity = a @ x
    constraints = pd.DataFrame({
        "constraint": [lab[0] for lab in labels], "kind": [lab[1] for lab in labels],
        "subject": [lab[2] for lab in labels], "level": activity, "lower": lo, "upper": hi})
    at_lower = np.abs(activity - lo) <= 1e-6 * np.maximum(1, np.abs(lo))
    at_upper = np.isfinite(hi) & (np.abs(activity - hi) <= 1e-6 * np.maximum(1, np.abs(hi)))
    constraints["slack"] = np.where(at_upper | at_lower, 0.0,
                                    np.minimum(activity - lo, np.where(np.isfinite(hi),
                                                                       hi - activity, np.inf)))
    # shadow price: change in expected bookings per unit more of the right-hand side
    # (one more unit of target, one more hour available); None for whole-unit programs
    constraints["shadow_price"] = (-duals if duals is not None else np.nan)
    nonzero_dual = (np.abs(duals) > 1e-9) if duals is not None else (at_lower | at_upper)
    constraints["binding"] = (at_lower & (lo > 0) | at_upper) & nonzero_dual
    units = {d.name: d.unit for d in problem.duties}
    constraints["explanation"] = [_why(row, units) for row in constraints.itertuples()]
    total = float(plan["expected_bookings"].sum())
    even_total = float(even["expected_bookings"].sum())
    message = (f"expected bookings {total:,.0f} vs {even_total:,.0f} with an even "
               f"split ({_lift(total, even_total)})")
    low, high = _ends(plan)
    if low == low:
        message += (f"; at the strength intervals' ends the plan books {low:,.0f} to "
                    f"{high:,.0f}")
    return AllocationResult("optimal", plan, total, even, even_total, constraints,
                            pd.DataFrame(columns=["constraint", "target", "achievable",
                                                  "short_by"]), message, low, high,
                            dict(problem.reasons))


def _num(x: float) -> str:
    """12 -> '12', 42.2305 -> '42.2': whole numbers stay whole, others one decimal."""
    return f"{round(x):,}" if abs(x - round(x)) < 1e-6 else f"{x:,.1f}"


def _lift(total: float, base: float) -> str:
    return f"{(total / base - 1):+.1%}" if base > 0 else "no even-split baseline"


def _why(row: object, units: dict[str, str]) -> str:
    g = row.__getattribute__
    if not g("binding"):
        return ""
    price = g("shadow_price")
    known = pd.notna(price)
    if g("kind") == "duty":
        amount = f"{g('lower'):g}{units[g('subject')]}"
        tail = ""
        if known:
            tail = (f"; each extra unit adds {price:,.2f} in bookings" if price > 0 else
                    f"; each extra unit costs {-price:,.2f} in bookings")
        return f"the {g('subject')} target ({amount}) binds{tail}"
    if g("kind") == "units":
        if g("level") >= g("upper") - 1e-6:
            tail = f"; each unit more would add {price:,.2f}" if known else ""
            return f"{g('subject')} is at its maximum of {g('upper'):g}{tail}"
        tail = f"; each unit less would add {-price:,.2f}" if known else ""
        return f"{g('subject')} is held at its minimum of {g('lower'):g}{tail}"
    if g("level") >= g("upper") - 1e-6:
        tail = f"; an extra hour is worth {price:,.2f}" if known else ""
        return f"{g('subject')} uses all {g('upper'):g} hours{tail}"
    tail = f"; each required hour costs {-price:,.2f}" if known else ""
    return f"{g('subject')} is held at the minimum of {g('lower'):g} hours{tail}"


def _explain_infeasible(problem: AllocationProblem, a, lo, hi, bounds, value, integrality,
                        even) -> AllocationResult:
    """Add a shortfall to each lower-bounded row; minimise it, then maximise bookings."""
    n_x = a.shape[1]
    soft = np.flatnonzero(lo > 0)
    # every row keeps its upper limit on a x; the lower limits of soft rows become
    # a x + shortfall >= lower (shortfall >= 0), so only "at least" targets are relaxed
    upper_rows = np.hstack([a, np.zeros((len(a), len(soft)))])
    lower_rows = np.hstack([a[soft], np.eye(len(soft))])
    a_rel = np.vstack([upper_rows, lower_rows])
    hard_lo = np.where(lo > 0, -np.inf, lo)
    lo_rel = np.concatenate([hard_lo, lo[soft]])
    hi_rel = np.concatenate([hi, np.full(len(soft), np.inf)])
    rel_bounds = (np.concatenate([bounds[0], np.zeros(len(soft))]),
                  np.concatenate([bounds[1], np.full(len(soft), np.inf)]))
    weights = np.ones(len(soft))
    phase1 = np.concatenate([np.zeros(n_x), weights])
    integ = np.concatenate([integrality, np.zeros(len(soft), dtype=int)])
    x1, _, status = _solve(problem, a_rel, lo_rel, hi_rel, phase1, rel_bounds, integ)
    if x1 is None:
        msg = ("no plan exists even when targets are relaxed: a person's minimum units exceed "
               "their available hours, or a duty's minimums exceed its maximum total")
        return AllocationResult("infeasible", _plan_frame(problem, np.zeros(n_x)), 0.0, even,
                                0.0, pd.DataFrame(), pd.DataFrame(), msg)
    best = float(phase1 @ x1)
    a2 = np.vstack([a_rel, phase1])
    lo2 = np.concatenate([lo_rel, [-np.inf]])
    hi2 = np.concatenate([hi_rel, [best + 1e-9]])
    x2, _, _ = _solve(problem, a2, lo2, hi2, np.concatenate([-value, np.zeros(len(soft))]),
                      rel_bounds, integ)
    x = x2 if x2 is not None else x1
    plan = _plan_frame(problem, x[:n_x])
    _, _, _, _, labels = _rows(problem)
    rows = []
    for k, row in enumerate(soft):
        short = float(x[n_x + k])
        if short > 1e-5:
            name, kind, subject = labels[row]
            what = "units" if kind == "duty" else "hours"
            rows.append({"constraint": name, "kind": kind, "subject": subject,
                         "target": lo[row], "achievable": lo[row] - short, "short_by": short,
                         "explanation": f"{subject}: needs {_num(lo[row])} {what}/week, at "
                                        f"most {_num(lo[row] - short)} fit (short by "
                                        f"{_num(short)})"})
    shortfalls = pd.DataFrame(rows)
    message = "targets cannot all be met: " + "; ".join(shortfalls["explanation"])
    # the LP's duals name what limits the shortfall (the whole-unit program's relaxation)
    x_lp, duals, _ = _solve(problem, a_rel, lo_rel, hi_rel, phase1, rel_bounds, None)
    resources = (_resources(problem, a, hi, bounds, x_lp[:n_x], duals[:len(a)],
                            duals[len(a_rel):len(a_rel) + n_x])
                 if x_lp is not None and duals is not None else [])
    if resources:
        message += ". Limited by " + "; ".join(resources)
    total = float(plan["expected_bookings"].sum())
    low, high = _ends(plan)
    return AllocationResult("infeasible", plan, total, even,
                            float(even["expected_bookings"].sum()), pd.DataFrame(),
                            shortfalls, message, low, high, dict(problem.reasons), resources)


def _resources(problem: AllocationProblem, a: np.ndarray, hi: np.ndarray,
               bounds: tuple[np.ndarray, np.ndarray], x: np.ndarray, row_duals: np.ndarray,
               var_duals: np.ndarray) -> list[str]:
    """The resources whose duals in the shortfall LP are non-zero, in words: one more of
    them would shrink the shortfall (per unit: the dual)."""
    n_r, n_d = len(problem.reps), len(problem.duties)
    row, var = np.abs(row_duals), np.abs(var_duals)
    out = []
    hours = [(problem.reps[i], float(hi[n_d + i]), float(row[n_d + i])) for i in range(n_r)
             if row[n_d + i] > 1e-9]
    if hours and len(hours) == n_r:
        out.append(f"team hours: all {n_r} reps use all their available hours "
                   f"({_num(sum(h for _, h, _ in hours))} h/week in all; each extra hour "
                   f"would cut the shortfall by up to {max(d for *_, d in hours):,.2f})")
    elif hours:
        out.append("the hours of " + ", ".join(f"{r} ({_num(h)} h)" for r, h, _ in hours)
                   + f" (each extra hour would cut the shortfall by up to "
                     f"{max(d for *_, d in hours):,.2f})")
    for j, duty in enumerate(problem.duties):
        if row[j] > 1e-9 and duty.max_total is not None and \
                abs(float(a[j] @ x) - duty.max_total) < 1e-6:
            out.append(f"{duty.name}: all {_num(duty.max_total)} there are")
        at_max = [i for i in range(n_r) if var[i * n_d + j] > 1e-9
                  and abs(x[i * n_d + j] - bounds[1][i * n_d + j]) < 1e-6]
        at_min = [i for i in range(n_r) if var[i * n_d + j] > 1e-9 and i not in at_max
                  and abs(x[i * n_d + j] - bounds[0][i * n_d + j]) < 1e-6]
        if at_max:
            top = sum(float(bounds[1][i * n_d + j]) for i in at_max)
            who = "every rep" if len(at_max) == n_r else \
                ", ".join(problem.reps[i] for i in at_max)
            out.append(f"the per-person maximum of {duty.name} ({who}: {_num(top)} in all)")
        if at_min:
            out.append(f"the per-person minimum of {duty.name} ("
                       + ", ".join(f"{problem.reps[i]} {_num(bounds[0][i * n_d + j])}"
                                   for i in at_min) + ")")
    return out
