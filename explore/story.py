"""The reactions to one launch as a reader takes them in: at a glance (who condemned, who
defended, who has not spoken) and in the order they came. Shared by the front page and the
launch page, which read the statements differently but tell them the same way."""

from dataclasses import dataclass, field

from reactions.models import Stance

# What each stance group is called at a glance, as a past verb: "Condemned: Japan".
STANCE_VERBS = {
    Stance.CONDEMNS: "Condemned",
    Stance.CONCERNED: "Voiced concern",
    Stance.NEUTRAL: "Spoke neutrally",
    Stance.SUPPORTIVE: "Supported",
    Stance.DEFENDS: "Defended",
}


@dataclass
class Voice:
    """One actor at a glance: its name, its code (for its page) and its first statement."""

    name: str
    code: str
    statement: int


@dataclass
class Glance:
    """The reactions to a launch: each stance with its actors, most critical first, and the
    actors that usually react but have not spoken on this launch."""

    stances: list = field(default_factory=list)
    silent: list = field(default_factory=list)

    @property
    def spoken(self):
        return sum(len(actors) for _, _, actors in self.stances)


def first_per_actor(statements):
    """Each actor's first statement, in the order given: an actor is listed once, however
    often it spoke."""
    seen = set()
    first = []
    for statement in statements:
        if statement.actor_id not in seen:
            seen.add(statement.actor_id)
            first.append(statement)
    return first


def at_a_glance(statements, usual, name_of, code_of):
    """A Glance of `statements` (in time order) against `usual`, the (id, code, name) of
    the actors that usually react; `name_of` and `code_of` read a statement's actor, as each
    page has it."""
    first = first_per_actor(statements)
    glance = Glance()
    for stance in sorted({statement.stance for statement in first}):
        actors = [
            Voice(name_of(statement), code_of(statement), statement.pk)
            for statement in first
            if statement.stance == stance
        ]
        glance.stances.append((stance, STANCE_VERBS.get(stance, ""), actors))
    spoke = {statement.actor_id for statement in first}
    glance.silent = [(code, name) for pk, code, name in usual if pk not in spoke]
    return glance


def speaking_order(statements):
    """(statements, timed): each actor's first statement, and whether the order among them
    is known. It is only when every one has its time; otherwise the list tells days, not an
    order, and is sorted by day then by actor."""
    first = first_per_actor(statements)
    timed = bool(first) and all(statement.issued_at for statement in first)
    if timed:
        return sorted(first, key=lambda statement: (statement.issued_at, statement.pk)), True
    return sorted(first, key=lambda statement: (statement.issued_on, str(statement.actor))), False
