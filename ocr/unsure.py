"""What the recogniser was unsure of: for each character it read with little certainty,
the next likeliest characters it considered, from its own per-character scores.

A CTC recogniser scores every class at every time step; the text is the best class of
each run of steps. Where that best class won narrowly, the runners-up at the same steps
are what the ink might also say (石 read where 乭 was written). Search indexes the names
those runners-up make, so a citizen who asks for 乭 finds the owner read as 石.

The text travels as `ReadText`, a str that remembers these alternatives: any edit of it
(a character corrected, two halves joined) makes a plain str, so positions never go
stale; code that only passes text along carries them without knowing.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

UNSURE = 0.95  # a character whose best score is below this is one the recogniser doubted
FLOOR = 0.01  # a runner-up scoring below this is not worth a search key
KEEP = 3  # runners-up kept per doubted character

Alternatives = tuple[tuple[int, tuple[tuple[str, float], ...]], ...]


class ReadText(str):
    """Text as the recogniser read it, with `unsure`: (position, ((character, score), …))
    for each character it doubted, best runner-up first."""

    unsure: Alternatives = ()

    def __new__(cls, text: str, unsure: Alternatives = ()) -> ReadText:
        made = super().__new__(cls, text)
        made.unsure = unsure
        return made

    def __reduce__(self):  # noqa: ANN204 - pickled to and from batch workers whole
        return ReadText, (str(self), self.unsure)


def unsure_of(text: str) -> Alternatives:
    """The alternatives a text carries (none for a plain str)."""
    return getattr(text, "unsure", ())


def alternatives(probs: np.ndarray, characters: Sequence[str], ignored: Sequence[int] = (0,),
                 ) -> tuple[str, Alternatives]:
    """Greedy CTC decoding of one line's scores (time steps × classes) into its text and
    the runners-up of each doubted character. Steps of one run are one character: a
    class scores, for it, the best it scored at any of them."""
    best = probs.argmax(axis=1)
    text: list[str] = []
    unsure: list[tuple[int, tuple[tuple[str, float], ...]]] = []
    step = 0
    while step < len(best):
        end = step + 1
        while end < len(best) and best[end] == best[step]:
            end += 1
        index = int(best[step])
        if index not in ignored:
            run = probs[step:end].max(axis=0)
            if run[index] < UNSURE:
                top = np.argpartition(-run, KEEP + len(ignored))[:KEEP + len(ignored) + 1]
                ranked = sorted((int(i) for i in top), key=lambda i: -run[i])
                others = tuple((characters[i], round(float(run[i]), 4)) for i in ranked
                               if i != index and i not in ignored and run[i] >= FLOOR
                               and characters[i].strip())[:KEEP]
                if others:
                    unsure.append((len(text), others))
            text.append(characters[index])
        step = end
    return "".join(text), tuple(unsure)
