"""A browser's User-Agent header in words a person recognises: “Chrome 131 · Windows”.

Read with a few patterns, most specific first (Edge and the Chinese browsers also say Chrome,
Chrome also says Safari); no library, since 登录记录 only needs the family, the major version
and the system.
"""

import re

from django.utils.translation import gettext

BROWSERS = [
    ("微信", r"MicroMessenger/(\d+)"),
    ("QQ浏览器", r"QQBrowser/(\d+)"),
    ("UC浏览器", r"UCBrowser/(\d+)"),
    ("360浏览器", r"(?:QihooBrowser|360SE|360EE)/?(\d*)"),
    ("搜狗浏览器", r"SE (\d+)\.X MetaSr"),
    ("Edge", r"Edg(?:e|A|iOS)?/(\d+)"),
    ("Opera", r"(?:OPR|Opera)/(\d+)"),
    ("Firefox", r"(?:Firefox|FxiOS)/(\d+)"),
    ("Chrome", r"(?:Chrome|CriOS)/(\d+)"),
    ("Safari", r"Version/(\d+)[.\d]* (?:Mobile/\S+ )?Safari/"),
]
SYSTEMS = [
    ("HarmonyOS", r"HarmonyOS|OpenHarmony"),
    ("Android", r"Android"),
    ("iOS", r"iPhone|iPad|iPod"),
    ("Windows", r"Windows"),
    ("macOS", r"Mac OS X|Macintosh"),
    ("ChromeOS", r"CrOS"),
    ("Linux", r"Linux|X11"),
]


def describe(user_agent: str) -> str:
    """“Chrome 131 · Windows”; the system alone or 未知浏览器 when the header says too little."""
    if not user_agent:
        return ""
    browser = ""
    for name, pattern in BROWSERS:
        match = re.search(pattern, user_agent)
        if match:
            browser = f"{name} {match.group(1)}".strip()
            break
    system = next((name for name, pattern in SYSTEMS if re.search(pattern, user_agent)), "")
    parts = [browser or gettext("Unknown browser"), system]
    return " · ".join(p for p in parts if p)
