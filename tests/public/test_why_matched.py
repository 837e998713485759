"""Why a notice matched: the part of its search text holding the words its title lacks, every
occurrence marked, overlapping or touching occurrences as one mark."""

from public.search import why_matched


def test_overlapping_and_touching_words_are_one_mark():
    text = "区卫生院物业保洁服务采购公告\n某街道办事处\n物业保洁服务与服务台"

    segments = why_matched(text, "区卫生院采购公告", "物业 业保 服务")

    assert segments == [
        ("物业保", True),
        ("洁", False),
        ("服务", True),
        ("与", False),
        ("服务", True),
        ("台", False),
    ]


def test_a_word_in_the_title_needs_no_reason():
    assert why_matched("物业服务公告\n某单位\n物业服务", "物业服务公告", "物业") is None


def test_full_width_letters_match_their_folded_form_in_place():
    segments = why_matched("公告\n某单位\nＡＢＣ设备维保", "公告", "abc")

    assert segments == [("ＡＢＣ", True), ("设备维保", False)]
