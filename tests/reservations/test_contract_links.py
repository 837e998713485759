"""合同链接 read as a browser reads them (WHATWG URL): the tricks that fooled urlsplit are refused."""

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from reservations.validators import normalize_contract_link

DETAIL = "/site/detail?parentId=137027&articleId=abc123"


def refusal(link: str) -> tuple[str, str]:
    with pytest.raises(ValidationError) as caught:
        normalize_contract_link(link)
    return caught.value.code, caught.value.messages[0]


@pytest.mark.parametrize(
    ("link", "code", "shown_host"),
    [
        pytest.param(
            "https://evil.example\\@www.zfcg.sh.gov.cn" + DETAIL,
            "contract_link_backslash",
            "evil.example",
            id="backslash-before-at",
        ),
        pytest.param(
            "https://www.zfcg.sh.gov.cn\\site\\detail?articleId=1",
            "contract_link_backslash",
            "www.zfcg.sh.gov.cn",
            id="backslash-as-path",
        ),
        pytest.param(
            "https://user@www.zfcg.sh.gov.cn" + DETAIL,
            "contract_link_userinfo",
            "www.zfcg.sh.gov.cn",
            id="userinfo",
        ),
        pytest.param(
            "https://www.zfcg.sh.gov.cn@evil.example" + DETAIL,
            "contract_link_userinfo",
            "evil.example",
            id="allowed-host-as-userinfo",
        ),
        pytest.param(
            "https://www.zfcg.sh.gov.cn.phish.cn" + DETAIL,
            "contract_link_host",
            "www.zfcg.sh.gov.cn.phish.cn",
            id="look-alike-suffix",
        ),
        pytest.param(
            "https://www.zfcg.sh.gov.cn%2Ephish.cn" + DETAIL,
            "contract_link_host",
            "www.zfcg.sh.gov.cn.phish.cn",
            id="percent-encoded-dot",
        ),
        pytest.param(
            "https://www.zfcg-sh.gov.cn" + DETAIL,
            "contract_link_host",
            "www.zfcg-sh.gov.cn",
            id="look-alike-hyphen",
        ),
        pytest.param(
            "https://www.zfcg.sh.gоv.cn" + DETAIL,
            "contract_link_host",
            "www.zfcg.sh.xn--gv-fmc.cn",
            id="idn-cyrillic-o",
        ),
        pytest.param(
            "https://www.zfcg.sh.gov.cn:8443" + DETAIL,
            "contract_link_host",
            "www.zfcg.sh.gov.cn",
            id="other-port",
        ),
    ],
)
def test_link_tricks_are_refused_naming_the_host_a_browser_would_open(link, code, shown_host):
    refused_code, message = refusal(link)
    assert refused_code == code
    assert shown_host in message


def test_backslash_message_is_clear_in_chinese():
    assert refusal("https://evil.example\\@www.zfcg.sh.gov.cn" + DETAIL)[1] == (
        "合同链接中含有反斜杠“\\”：浏览器会把它当作“/”，实际打开的是evil.example。请从浏览器地址栏复制合同公告的地址。"
    )


@pytest.mark.parametrize(
    ("link", "stored"),
    [
        pytest.param(
            "HTTPS://WWW.ZFCG.SH.GOV.CN" + DETAIL, "https://www.zfcg.sh.gov.cn" + DETAIL, id="mixed-case"
        ),
        pytest.param(
            "https://www.%7Afcg.sh.gov.cn" + DETAIL,
            "https://www.zfcg.sh.gov.cn" + DETAIL,
            id="percent-encoded-letter-is-the-real-host",
        ),
        pytest.param(
            "  https://www.ccgp.gov.cn/cggg/dfgg/htgg/202301/t20230105_1.htm ",
            "https://www.ccgp.gov.cn/cggg/dfgg/htgg/202301/t20230105_1.htm",
            id="ccgp-default-host",
        ),
        pytest.param(
            "https://www.zfcg.sh.gov.cn/site/detail?articleId=项目",
            "https://www.zfcg.sh.gov.cn/site/detail?articleId=%E9%A1%B9%E7%9B%AE",
            id="query-encoded",
        ),
    ],
)
def test_good_links_are_stored_as_a_browser_reads_them(link, stored):
    assert normalize_contract_link(link) == stored


@pytest.mark.parametrize(
    "link",
    ["https://www.zfcg.sh.gov.cn/", "https://www.zfcg.sh.gov.cn", "https://www.ccgp.gov.cn/index.htm",
     "https://www.zfcg.sh.gov.cn/?lang=zh"],
)  # fmt: skip
def test_a_homepage_is_not_a_contract_notice(link):
    assert refusal(link) == (
        "contract_link_path",
        "合同链接须指向采购合同公告详情页面，不能是网站首页或列表页。",
    )


@override_settings(CONTRACT_LINK_PATH_PATTERN=r"^/site/detail\?.*articleId=")
def test_the_path_pattern_is_a_setting():
    assert normalize_contract_link("https://www.zfcg.sh.gov.cn" + DETAIL)
    assert refusal("https://www.zfcg.sh.gov.cn/contract/1")[0] == "contract_link_path"


@override_settings(CONTRACT_LINK_HOSTS=["例子.测试"])
def test_idn_hosts_in_settings_match_their_punycode():
    assert normalize_contract_link("https://例子.测试/c/1") == "https://xn--fsqu00a.xn--0zwm56d/c/1"
