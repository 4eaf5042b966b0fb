"""Every page a browser test sees, checked after the test: axe-core for WCAG 2.1 AA, reflow at
320 CSS pixels, and the Nu Html Checker for HTML validity.

Pages are recorded as they are served (every browser context keeps the body of each response it
gets), then replayed one by one into a checker page from the record alone: every page the test
visited is checked, including the answer to a POST and the error pages, and none is missed
because the test moved on quickly.

The tools come from the npm registry, pinned by version and checked against the registry's
sha512 integrity before use; they are cached in ``.cache/npm`` at the repository root.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
import shutil
import subprocess
import tarfile
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".cache" / "npm"


@dataclass(frozen=True)
class NpmFile:
    """One file inside a package tarball of the npm registry."""

    package: str
    version: str
    integrity: str  # the registry's dist.integrity (sha512, base64)
    member: str

    @property
    def tarball(self) -> str:
        return f"https://registry.npmjs.org/{self.package}/-/{self.package}-{self.version}.tgz"

    def path(self) -> Path:
        """The file, fetched once and kept; the tarball is checked against its integrity."""
        target = CACHE / f"{self.package}-{self.version}" / Path(self.member).name
        if target.exists():
            return target
        try:
            with urllib.request.urlopen(self.tarball, timeout=120) as answer:
                data = answer.read()
        except OSError as error:
            raise RuntimeError(f"无法从 npm 仓库下载 {self.package} {self.version}"
                               f"（{self.tarball}）：{error}") from error
        digest = "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()
        if digest != self.integrity:
            raise RuntimeError(f"{self.package} {self.version} 的校验值与 npm 仓库登记的不符，拒绝使用")
        with tarfile.open(fileobj=io.BytesIO(data)) as archive:
            extracted = archive.extractfile(self.member)
            if extracted is None:
                raise RuntimeError(f"{self.package} {self.version} 中没有 {self.member}")
            content = extracted.read()
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(".part")
        partial.write_bytes(content)
        partial.replace(target)
        return target


AXE = NpmFile("axe-core", "4.14.1",
              "sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ==",
              "package/axe.min.js")
VNU = NpmFile("vnu-jar", "26.9.27",
              "sha512-TkQd5DFfOaWC9ebtvozTsrH2Vaod3jYg+vrOeREzIXxBexLz9+rS2DNtjn7+RPUiZhgli0SghgBX6RJRNea0KA==",
              "package/build/dist/vnu.jar")
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
DESKTOP = {"width": 1366, "height": 768}  # the smallest office screen the portal is played on
REFLOW_WIDTH = 320  # WCAG 2.1 SC 1.4.10: no horizontal scrolling at 320 CSS pixels (data tables aside)
# the page may scroll sideways only inside a data table's own scroll box
REFLOW_SCRIPT = """(width) => {
  const root = document.documentElement;
  const wide = [...document.querySelectorAll('body *')].filter(e => {
    if (e.closest('table, .table-scroll, pre')) return false;
    const box = e.getBoundingClientRect();
    return box.width > 0 && box.right > width + 1;
  }).slice(0, 5).map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : ''));
  return {scroll: root.scrollWidth, wide};
}"""


@dataclass(frozen=True)
class Served:
    """One response as the browser got it."""

    url: str
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def is_html(self) -> bool:
        return self.headers.get("content-type", "").startswith("text/html")


@dataclass
class PageRecord:
    """What the browsers of one test module were served, in order."""

    pages: list[Served] = field(default_factory=list)
    resources: dict[str, Served] = field(default_factory=dict)

    def response(self, response: Any) -> None:
        """Keep a response the browser got (redirects and downloads have no body to keep)."""
        request = response.request
        if response.status in (301, 302, 303, 307, 308) or request.method not in ("GET", "POST"):
            return
        headers = dict(response.headers)
        document = request.resource_type == "document"
        if document and not headers.get("content-type", "").startswith("text/html"):
            return
        try:
            body = response.body()
        except Exception:  # noqa: BLE001 - the page went away before its body was read: nothing to keep
            return
        served = Served(request.url, response.status, headers, body)
        if document and request.frame.parent_frame is None:
            self.pages.append(served)
        elif request.method == "GET":
            self.resources[request.url] = served

    def distinct_pages(self) -> list[Served]:
        seen: set[bytes] = set()
        distinct = []
        for page in self.pages:
            key = hashlib.sha256(page.url.encode() + b"\0" + _without_tokens(page.body)).digest()
            if key not in seen:
                seen.add(key)
                distinct.append(page)
        return distinct


def _without_tokens(body: bytes) -> bytes:
    """A page's HTML without the per-request CSRF tokens, for telling repeated pages apart."""
    return re.sub(rb'name="csrf_token" value="[^"]*"', b"", body)


class CheckedBrowser:
    """The Playwright browser, with every new context recording what it is served."""

    def __init__(self, browser: Any) -> None:
        self.raw = browser
        self.record = PageRecord()

    def new_context(self, **options: Any) -> Any:
        context = self.raw.new_context(**options)
        context.on("response", self.record.response)
        return context

    def __getattr__(self, name: str) -> Any:
        return getattr(self.raw, name)


@dataclass(frozen=True)
class Problem:
    url: str
    what: str


def _replay(record: PageRecord, served: Served, page: Any) -> None:
    def route(route: Any) -> None:
        url = route.request.url
        answer = served if url == served.url else record.resources.get(url)
        if answer is None:
            route.fulfill(status=404, body=b"")
        else:
            route.fulfill(status=answer.status, headers=answer.headers, body=answer.body)

    page.route("**/*", route)
    page.goto(served.url)
    page.unroute("**/*")


def axe_and_reflow(browser: Any, record: PageRecord) -> list[Problem]:
    """Every recorded page through axe-core (WCAG 2.1 A and AA) at 1366 px (where nothing may
    widen the page) and reflow at 320 px,
    in a context of ``browser`` (Playwright's own, not a recording one)."""
    source = AXE.path().read_text(encoding="utf-8")
    problems: list[Problem] = []
    context = browser.new_context(locale="zh-CN", viewport=DESKTOP)
    page = context.new_page()
    for served in record.distinct_pages():
        _replay(record, served, page)
        page.set_viewport_size(DESKTOP)
        wide = page.evaluate("() => document.documentElement.scrollWidth")
        if wide > DESKTOP["width"] + 1:  # tables included: on an office desktop nothing scrolls sideways
            problems.append(Problem(served.url, f"{DESKTOP['width']} 像素宽时页面宽 {wide} 像素"))
        page.evaluate(source)
        result = page.evaluate("(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}})"
                               " .then(r => r.violations.map(v => ({id: v.id, impact: v.impact,"
                               " help: v.help, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))})))",
                               WCAG_TAGS)
        for violation in result:
            problems.append(Problem(served.url, f"axe {violation['id']}（{violation['impact']}）："
                                                f"{violation['help']} {violation['nodes']}"))
        page.set_viewport_size({"width": REFLOW_WIDTH, "height": 640})
        reflow = page.evaluate(REFLOW_SCRIPT, REFLOW_WIDTH)
        if reflow["scroll"] > REFLOW_WIDTH + 1:
            problems.append(Problem(served.url,
                                    f"320 像素宽时页面宽 {reflow['scroll']} 像素：{reflow['wide']}"))
    context.close()
    return problems


# the office desktops the portal is played on
SCREEN_SIZES = ((DESKTOP["width"], DESKTOP["height"]), (1920, 1080))


def _slug(url: str) -> str:
    path = re.sub(r"^https?://[^/]+", "", url).split("#", 1)[0]
    return re.sub(r"[^A-Za-z0-9]+", "-", path).strip("-")[:80] or "home"


def screenshots(browser: Any, record: PageRecord, folder: Path) -> list[Path]:
    """Every recorded page as it looks at each of ``SCREEN_SIZES`` (full page), saved in ``folder``
    as ``NNN-path-WIDTH.png``, for a person to look at (``SCORING_SCREENSHOTS=1``)."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    saved = []
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    for number, served in enumerate(record.distinct_pages(), start=1):
        for width, height in SCREEN_SIZES:
            page.set_viewport_size({"width": width, "height": height})
            _replay(record, served, page)
            target = folder / f"{number:03d}-{_slug(served.url)}-{width}.png"
            page.screenshot(path=str(target), full_page=True)
            saved.append(target)
    context.close()
    return saved


def html_validity(record: PageRecord, folder: Path) -> list[Problem] | None:
    """Every recorded page through the Nu Html Checker; None when there is no Java to run it."""
    java = shutil.which("java")
    if java is None:
        return None
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    urls = {}
    for number, served in enumerate(record.distinct_pages(), start=1):
        name = f"{number:03d}.html"
        (folder / name).write_bytes(served.body)
        urls[name] = served.url
    if not urls:
        return []
    done = subprocess.run([java, "-jar", str(VNU.path()), "--errors-only", "--format", "json", str(folder)],
                          capture_output=True, text=True, timeout=600)
    messages = json.loads(done.stderr or "{}").get("messages", []) if done.stderr.strip() else []
    problems = []
    for message in messages:
        name = Path(message.get("url", "")).name
        where = f"vnu 第 {message.get('lastLine', '?')} 行"
        problems.append(Problem(urls.get(name, name), f"{where}：{message['message']}"))
    return problems


def report(problems: list[Problem]) -> str:
    return "\n".join(f"{problem.url}\n    {problem.what}" for problem in problems)
