import pytest

from archgen.units import human_duration, parse_duration, parse_size


@pytest.mark.parametrize(
    "text,seconds",
    [(30, 30), ("90s", 90), ("5m", 300), ("2h", 7200), ("14d", 1209600), ("0", 0)],
)
def test_durations(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("bad", ["5 weeks", "1.5h", "-3", True, None, "h", -1])
def test_bad_durations(bad):
    with pytest.raises(ValueError):
        parse_duration(bad)


def test_sizes_in_the_fields_unit():
    assert parse_size(512, 1 << 20) == 512
    assert parse_size("64MiB", 1 << 20) == 64
    assert parse_size("1GiB", 1 << 20) == 1024
    with pytest.raises(ValueError):
        parse_size("1KiB", 1 << 20)  # not a whole number of MiB
    with pytest.raises(ValueError):
        parse_size("big", 1 << 20)


def test_human_duration():
    assert [human_duration(s) for s in (1209600, 7200, 300, 90)] == ["14d", "2h", "5m", "90s"]
