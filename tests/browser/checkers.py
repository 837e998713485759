"""The two checkers of the validity and accessibility walk (issue 17), both run locally from
node_modules (`make test` installs them with npm; no network at test time):

- the W3C Nu HTML checker (`vnu-jar`) reads the HTML exactly as the server sent it. The JVM takes
  seconds to start, so every page is written to a folder and checked in one run;
- axe-core runs in Chromium on the page as the reader sees it (styles, scripts, CSP). It is
  added to the browser context as an init script: Playwright evaluates those outside the page's
  Content-Security-Policy, whereas `add_script_tag` inserts an inline <script> that our
  `script-src 'self'` rightly blocks.

Each finding names the page, the rule and the element, so that a failing run says what to fix.
"""

import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

NODE_MODULES = Path(settings.BASE_DIR) / "node_modules"
VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE_JS = NODE_MODULES / "axe-core" / "axe.min.js"
# axe's impact levels that fail the walk; "minor" and "moderate" are reported by hand when useful.
FAILING_IMPACTS = ("serious", "critical")
# The checker needs a deeper stack than the default; the quick compiler and the serial collector
# start in a few seconds on two busy cores, where the defaults took 20-40 s for 80 pages.
JAVA_OPTIONS = ("-Xss2m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC")
MISSING_TOOLS = "The HTML and accessibility checkers are missing: run `npm ci` (make test does)."


@dataclass(frozen=True)
class Finding:
    page: str  # the walk's name for the page and its path
    checker: str  # "html" (Nu HTML checker) or "axe"
    rule: str
    element: str
    message: str

    def __str__(self):
        said = f"{self.rule}: {self.message}" if self.message else self.rule
        return f"{self.page}\n    [{self.checker}] {said}\n    element: {self.element}"


def report(findings) -> str:
    """One readable block for an assertion message."""
    return f"{len(findings)} problem(s):\n" + "\n".join(f"  {f}" for f in findings)


def tools_available() -> bool:
    return VNU_JAR.is_file() and AXE_JS.is_file() and shutil.which("java") is not None


def install_axe(context) -> None:
    """Make `axe` available in every page of a Playwright browser context."""
    context.add_init_script(path=str(AXE_JS))


_AXE_RUN = """async (impacts) => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations
    .filter((v) => impacts.includes(v.impact))
    .flatMap((v) => v.nodes.map((n) => ({
      rule: v.id, help: v.help, impact: v.impact,
      target: n.target.join(" "), html: n.html, summary: n.failureSummary || "",
    })));
}"""


def axe_findings(page, name: str) -> list[Finding]:
    """Run axe-core on the page as it stands; serious and critical violations only."""
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        raise AssertionError(f"{name}: axe-core is not loaded in this page (install_axe on its context?)")
    label = f"{name} ({_path(page.url)})"
    return [
        Finding(
            page=label,
            checker="axe",
            rule=f"{v['rule']} ({v['impact']})",
            element=f"{v['target']}  {_squeeze(v['html'])}",
            message=f"{v['help']}. {_squeeze(v['summary'])}",
        )
        for v in page.evaluate(_AXE_RUN, list(FAILING_IMPACTS))
    ]


# What a public-sector portal expects of every page beyond the two checkers (GOV.UK's and GB/T
# 37668's basics): the document language, one main landmark after a skip link, a banner and
# a footer, a title naming the page and the site, and tables with a caption and header cells.
_PORTAL_CHECK = (Path(__file__).parent / "portal_check.js").read_text(encoding="utf-8")


def portal_findings(page, name: str, site: str) -> list[Finding]:
    label = f"{name} ({_path(page.url)})"
    return [
        Finding(
            page=label, checker="portal", rule=p["rule"], element=_squeeze(p["element"]), message=p["message"]
        )
        for p in page.evaluate(_PORTAL_CHECK, site)
    ]


class HtmlChecker:
    """Collects the server's HTML of each page; `run()` checks them all in one JVM."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.pages: dict[str, str] = {}  # file name -> page label

    def add(self, name: str, url: str, html: str) -> None:
        file = self.folder / f"{len(self.pages):03d}-{_slug(name)}.html"
        file.write_text(html, encoding="utf-8")
        self.pages[file.name] = f"{name} ({_path(url)})"

    def run(self) -> list[Finding]:
        if not self.pages:
            return []
        files = [str(self.folder / name) for name in self.pages]
        proc = subprocess.run(
            ["java", *JAVA_OPTIONS, "-jar", str(VNU_JAR), "--format", "json", "--stdout", *files],
            capture_output=True,
            text=True,
            timeout=300,
        )
        try:
            messages = json.loads(proc.stdout)["messages"]
        except (ValueError, KeyError) as exc:
            raise AssertionError(f"The Nu HTML checker gave no report: {proc.stderr[-2000:]}") from exc
        findings = []
        for m in messages:
            # Warnings ("info") are advice; errors and fatal errors ("non-document-error" too) fail.
            if m.get("type") == "info":
                continue
            file = m.get("url", "").rsplit("/", 1)[-1]
            extract = m.get("extract", "")
            start, length = m.get("hiliteStart", 0), m.get("hiliteLength", len(extract))
            element = _squeeze(extract[start : start + length]) or "(document)"
            findings.append(
                Finding(
                    page=self.pages.get(file, file),
                    checker="html",
                    # The checker has no rule ids: its message is the rule.
                    rule=m["message"],
                    element=f"line {m.get('lastLine', '?')}: {element}   in: {_squeeze(extract)}",
                    message="",
                )
            )
        return findings


def _squeeze(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 240 else text[:237] + "..."


def _path(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-")[:40] or "page"
