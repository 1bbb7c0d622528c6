"""The pure identifier scrubber."""

from shezhi.privacy.scrub import MASK, contains, needles, scrub_json, scrub_text


def test_needles_longest_first_and_skip_short_names():
    assert needles("王", "11010519491231002x", "") == ("11010519491231002X", "11010519491231002x")
    assert needles("王芳", "", "13812345678")[0] == "13812345678"


def test_scrub_text_masks_every_occurrence():
    t = needles("王芳", "", "13812345678")
    assert scrub_text("王芳说王芳的电话是13812345678", t) == f"{MASK}说{MASK}的电话是{MASK}"


def test_scrub_json_walks_keys_and_values():
    t = needles("王芳", "", "13812345678")
    value = {"phone": ["1", "13812345678"], "王芳": {"n": 3, "x": "王芳来了"}}
    out = scrub_json(value, t)
    assert out == {"phone": ["1", MASK], MASK: {"n": 3, "x": f"{MASK}来了"}}
    assert contains(value, t) and not contains(out, t)
