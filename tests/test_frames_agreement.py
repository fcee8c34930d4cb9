"""Inter-coder agreement of the two independent codings of the flagship articles."""

from __future__ import annotations

from pathlib import Path

import pytest

from framing.frames import reliability

GOLD = Path(__file__).resolve().parent / "gold"
VARIABLES = ["on_event", "iraq_analogy", "iraq_voice", "iraq_stance", "blame"]


@pytest.fixture(scope="module")
def agreement():
    return reliability([GOLD / "syria2017_hand_codes.csv",
                        GOLD / "syria2017_hand_codes_coder2.csv"], variables=VARIABLES,
                       n_resamples=1000, random_state=0).table.set_index("variable")


def test_both_coders_coded_every_article(agreement):
    assert (agreement["n_units"] == 136).all()
    assert (agreement["n_coders"] == 2).all()


def test_agreement_matches_the_reported_figures(agreement):
    # tests/gold/README.md reports these; a changed code changes them
    assert agreement.loc["iraq_analogy", "percent_agreement"] == pytest.approx(135 / 136)
    assert agreement.loc["blame", "percent_agreement"] == pytest.approx(122 / 136)
    assert agreement.loc["iraq_analogy", "alpha"] == pytest.approx(0.956, abs=5e-4)
    assert agreement.loc["blame", "alpha"] == pytest.approx(0.820, abs=5e-4)
    assert agreement.loc["blame", "cohen_kappa"] == pytest.approx(0.820, abs=5e-4)
